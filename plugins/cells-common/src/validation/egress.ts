import { EGRESS_CIDR_PROTOCOLS, EGRESS_HOST_PROTOCOLS, EgressCeiling, EgressCidrRule, EgressHostRule, EgressRule } from '../model/types';
import { compareText } from '../order';
import { CellsSettings, DEFAULT_SETTINGS } from '../settings/settings';
import { DNS_LABEL, MESH_RESERVED_PORTS, ProblemList, checkMethods, checkPaths, isRecord } from './fields';
import { checkPlatformEntry, platformEntry, PlatformServiceRule } from './platform';
import { cidrError, cidrOf, cidrsOverlap, hostError, hostWithin, isWildcardHost } from './network';
import { checkReason, DeclarationRules } from './reason';
import { checkObjectKeys } from './keys';
import { cidrWithin } from '../net/ip';

const ENTRY_FIX = 'write {host, port, protocol: TLS | HTTP | TCP}, {cidr, except?, port, protocol: TCP | UDP} or {platform, port}';

function ports(list: ProblemList, field: string, raw: Record<string, unknown>): number[] {
  if ((raw.port === undefined) === (raw.ports === undefined)) {
    list.add(field, 'must give exactly one of `port` or `ports`', 'write port: 443, or ports: [80, 443]');
    return [];
  }
  const values = raw.port !== undefined ? [raw.port] : raw.ports;
  const at = raw.port !== undefined ? `${field}.port` : `${field}.ports`;
  if (!Array.isArray(values) || values.length === 0) {
    list.add(at, 'must be a non-empty list of ports', 'list ports such as [80, 443]');
    return [];
  }
  const out: number[] = [];
  values.forEach(v => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535)
      list.add(at, `${JSON.stringify(v)} is not a port number`, 'use integers from 1 to 65535');
    else if (MESH_RESERVED_PORTS.includes(v))
      list.add(at, `port ${v} is reserved by the Istio ambient data plane`, `pick a port outside ${MESH_RESERVED_PORTS.join(', ')}`);
    else out.push(v);
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

function hostEntry(list: ProblemList, field: string, raw: Record<string, unknown>, rules: DeclarationRules): EgressHostRule | undefined {
  const before = list.problems.length;
  const host = raw.host;
  const hostProblem = typeof host === 'string' ? hostError(host) : 'is not a string';
  if (hostProblem) list.add(`${field}.host`, `${JSON.stringify(host)} ${hostProblem}`, 'write a host such as api.weather.gov');
  if (raw.except !== undefined) list.add(`${field}.except`, 'applies to cidr entries only', 'remove except, or declare a cidr');
  const protocol = raw.protocol;
  if (!(EGRESS_HOST_PROTOCOLS as readonly unknown[]).includes(protocol)) {
    list.add(`${field}.protocol`, `${JSON.stringify(protocol)} is not a protocol for a host`, `use one of ${EGRESS_HOST_PROTOCOLS.join(', ')}`);
  }
  const methods = checkMethods(list, `${field}.methods`, raw.methods);
  const paths = checkPaths(list, `${field}.paths`, raw.paths);
  if ((methods || paths) && protocol !== 'HTTP') {
    list.add(
      field,
      `methods and paths cannot be seen in ${String(protocol)} traffic (the egress waypoint sees only the port${protocol === 'TLS' ? ' and the SNI' : ''})`,
      'leave methods and paths out, or call the host over plain HTTP (protocol: HTTP)',
    );
  }
  const portList = ports(list, field, raw);
  const reason = checkReason(list, field, raw.reason, rules.requireReasons === true);
  if (list.problems.length !== before) return undefined;
  return {
    kind: 'host',
    host: host as string,
    ports: portList,
    protocol: protocol as EgressHostRule['protocol'],
    ...(methods ? { methods } : {}),
    ...(paths ? { paths } : {}),
    ...(reason ? { reason } : {}),
    field,
  };
}

function cidrEntry(list: ProblemList, field: string, raw: Record<string, unknown>, rules: DeclarationRules): EgressCidrRule | undefined {
  const before = list.problems.length;
  const cidr = raw.cidr;
  const cidrProblem = typeof cidr === 'string' ? cidrError(cidr) : 'is not a string';
  if (cidrProblem) list.add(`${field}.cidr`, `${JSON.stringify(cidr)} ${cidrProblem}`, 'write a network such as 10.20.0.0/16');
  let except: string[] | undefined;
  if (raw.except !== undefined) {
    if (!Array.isArray(raw.except) || raw.except.length === 0) {
      list.add(`${field}.except`, 'must be a non-empty list of CIDRs', 'list networks inside cidr, or leave except out');
    } else {
      raw.except.forEach((e, j) => {
        const problem = typeof e === 'string' ? cidrError(e) : 'is not a string';
        if (problem) list.add(`${field}.except[${j}]`, `${JSON.stringify(e)} ${problem}`, 'write a network inside cidr');
        else if (!cidrProblem && !cidrWithin(cidrOf(e as string), cidrOf(cidr as string))) {
          list.add(`${field}.except[${j}]`, `${e} is not inside ${String(cidr)}`, 'list only networks inside cidr');
        }
      });
      except = [...new Set(raw.except as string[])].sort(compareText);
    }
  }
  if (raw.methods !== undefined || raw.paths !== undefined)
    list.add(
      field,
      'a cidr entry is enforced at L3/L4 only: it has no methods or paths',
      'leave methods and paths out, or declare the host by name with protocol: HTTP',
    );
  const protocol = raw.protocol ?? 'TCP';
  if (!(EGRESS_CIDR_PROTOCOLS as readonly unknown[]).includes(protocol)) {
    list.add(
      `${field}.protocol`,
      `${JSON.stringify(protocol)} is not a protocol for a cidr`,
      `use one of ${EGRESS_CIDR_PROTOCOLS.join(', ')} (a network is enforced at L3/L4 only)`,
    );
  }
  const portList = ports(list, field, raw);
  const reason = checkReason(list, field, raw.reason, rules.requireReasons === true);
  if (list.problems.length !== before) return undefined;
  return {
    kind: 'cidr',
    cidr: cidr as string,
    ...(except ? { except } : {}),
    ports: portList,
    protocol: protocol as EgressCidrRule['protocol'],
    ...(reason ? { reason } : {}),
    field,
  };
}

/** `spec.egress` of a Component, shape only; invalid entries are left out (never widened). */
export function parseEgress(list: ProblemList, value: unknown, rules: DeclarationRules = {}): EgressRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    list.add('spec.egress', 'must be a list', ENTRY_FIX);
    return [];
  }
  const out: EgressRule[] = [];
  value.forEach((raw, i) => {
    const field = `spec.egress[${i}]`;
    if (!isRecord(raw) || [raw.host, raw.cidr, raw.platform].filter(v => v !== undefined).length !== 1) {
      list.add(field, 'must name exactly one of `host`, `cidr` or `platform`', ENTRY_FIX);
      return;
    }
    // A misspelled key (`metods`) fails closed: the entry is left out whole.
    const unknown = checkObjectKeys(list, field, raw, 'spec.egress[]');
    let entry: EgressRule | undefined;
    if (raw.host !== undefined) entry = hostEntry(list, field, raw, rules);
    else if (raw.cidr !== undefined) entry = cidrEntry(list, field, raw, rules);
    else entry = platformEntry(list, field, raw, ports(list, field, raw), checkReason(list, field, raw.reason, rules.requireReasons === true));
    if (entry && !unknown) out.push(entry);
  });
  return out;
}

/** `spec.cell.egress` of a System, shape only. Absent: undefined (the cell allows no egress). */
export function parseCeiling(list: ProblemList, value: unknown): EgressCeiling | undefined {
  if (value === undefined) return undefined;
  const fix = 'write {hosts: [api.weather.gov, "*.example.com"], cidrs: [10.20.0.0/16], platform: [otel-collector]}';
  if (!isRecord(value)) {
    list.add('spec.cell.egress', 'must be an object', fix);
    return { hosts: [], cidrs: [] };
  }
  checkObjectKeys(list, 'spec.cell.egress', value, 'spec.cell.egress');
  const read = (key: 'hosts' | 'cidrs' | 'platform', error: (v: string) => string | undefined): string[] => {
    const items = value[key];
    if (items === undefined) return [];
    if (!Array.isArray(items)) {
      list.add(`spec.cell.egress.${key}`, 'must be a list', fix);
      return [];
    }
    const ok: string[] = [];
    items.forEach((item, i) => {
      const problem = typeof item === 'string' ? error(item) : 'is not a string';
      if (problem) list.add(`spec.cell.egress.${key}[${i}]`, `${JSON.stringify(item)} ${problem}`, fix);
      else ok.push(item as string);
    });
    return [...new Set(ok)].sort(compareText);
  };
  const platformError = (v: string) => (DNS_LABEL.test(v) ? undefined : 'is not a platform service name');
  // Only when given: a ceiling without platform services reads (and serializes) as before.
  return {
    hosts: read('hosts', hostError),
    cidrs: read('cidrs', cidrError),
    ...(value.platform !== undefined ? { platform: read('platform', platformError) } : {}),
  };
}

/** What the platform allows and forbids for every cell (from the settings). */
export interface EgressPlatformRules {
  /** Host entries need the mesh (the egress waypoint enforces them). */
  meshEnabled: boolean;
  wildcardHosts: boolean;
  /** Never-allowed networks, each with the setting that names it. */
  neverAllowed: { cidr: string; setting: string }[];
  /** cells.platform.services: what platform entries and spec.metrics may name. */
  services?: PlatformServiceRule[];
}

export function egressPlatformRules(settings: CellsSettings = DEFAULT_SETTINGS): EgressPlatformRules {
  return {
    meshEnabled: settings.mesh.enabled,
    wildcardHosts: settings.egress.wildcardHosts,
    neverAllowed: [
      ...settings.egress.deny.map(cidr => ({ cidr, setting: 'cells.egress.deny' })),
      ...settings.cluster.podCIDRs.map(cidr => ({ cidr, setting: 'cells.cluster.podCIDRs' })),
      ...settings.cluster.serviceCIDRs.map(cidr => ({ cidr, setting: 'cells.cluster.serviceCIDRs' })),
    ],
    services: settings.platform.services.map(s => ({ name: s.name, role: s.role, ports: s.ports })),
  };
}

/**
 * The checks of a component's entries against its cell's ceiling and the
 * platform's rules. Returns the entries that pass; every other one is a problem
 * naming the field, the ceiling or setting, and the fix.
 */
export function checkEgress(
  list: ProblemList,
  entries: EgressRule[],
  cellRef: string,
  ceiling: EgressCeiling | undefined,
  platform: EgressPlatformRules,
): EgressRule[] {
  const kept: EgressRule[] = [];
  for (const entry of entries) {
    const before = list.problems.length;
    if (entry.kind === 'platform') {
      checkPlatformEntry(list, entry, cellRef, ceiling, platform.services ?? []);
    } else if (entry.kind === 'host') {
      if (!platform.meshEnabled) {
        list.add(
          `${entry.field}.host`,
          'a host can only be enforced by the egress waypoint, and cells.mesh.enabled is false',
          "enable the mesh (cells.mesh.enabled: true), or declare the host's addresses as a cidr",
        );
      }
      if (isWildcardHost(entry.host) && !platform.wildcardHosts) {
        list.add(
          `${entry.field}.host`,
          `the wildcard ${entry.host} cannot be enforced by the configured data plane`,
          'name each host exactly, or set cells.egress.wildcardHosts: true when the egress waypoint supports wildcard hosts (Istio 1.28 or later)',
        );
      }
      if (!ceiling || !ceiling.hosts.some(c => hostWithin(entry.host, c))) {
        list.add(
          `${entry.field}.host`,
          `${entry.host} is outside the egress ceiling of ${cellRef} (spec.cell.egress.hosts: ${ceiling?.hosts.length ? ceiling.hosts.join(', ') : 'none'})`,
          `ask the owners of ${cellRef} to add ${entry.host} to spec.cell.egress.hosts, or remove the entry`,
        );
      }
    } else {
      const cidr = cidrOf(entry.cidr);
      const except = (entry.except ?? []).map(cidrOf);
      for (const never of platform.neverAllowed) {
        const n = cidrOf(never.cidr);
        if (!cidrsOverlap(cidr, n)) continue;
        if (cidrWithin(cidr, n)) {
          list.add(
            `${entry.field}.cidr`,
            `${entry.cidr} lies inside ${never.cidr}, which ${never.setting} never allows`,
            never.setting === 'cells.egress.deny'
              ? 'remove the entry (the platform forbids this destination)'
              : 'reach cluster workloads through connections, not egress',
          );
        } else if (!except.some(e => cidrWithin(n, e))) {
          list.add(
            `${entry.field}.cidr`,
            `${entry.cidr} covers ${never.cidr}, which ${never.setting} never allows`,
            `add ${never.cidr} to except, or narrow cidr`,
          );
        }
      }
      if (!ceiling || !ceiling.cidrs.some(c => cidrWithin(cidr, cidrOf(c)))) {
        list.add(
          `${entry.field}.cidr`,
          `${entry.cidr} is outside the egress ceiling of ${cellRef} (spec.cell.egress.cidrs: ${ceiling?.cidrs.length ? ceiling.cidrs.join(', ') : 'none'})`,
          `ask the owners of ${cellRef} to add it to spec.cell.egress.cidrs, or remove the entry`,
        );
      }
    }
    if (list.problems.length === before) kept.push(entry);
  }
  return kept;
}
