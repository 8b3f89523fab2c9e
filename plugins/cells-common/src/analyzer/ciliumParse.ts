/** Parses CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy manifests into the model (ciliumModel.ts), naming each field it refuses. */
import { fqdnMatcher } from './fqdn';
import { compileSelector, CompiledSelector } from '../labels';
import { Cidr, cidrWithin, parseCidr } from './ip';
import { isPlainObject, isValidPortName, ProblemSink, readList, readStrings } from './model';
import type { Direction } from './networkPolicy';
import {
  CILIUM_NAMESPACE_LABEL,
  CILIUM_NAMESPACE_LABELS_PREFIX,
  CiliumPeers,
  CiliumPolicyModel,
  CiliumPort,
  CiliumPortRule,
  CiliumProtocol,
  CiliumRule,
  CiliumRuleEntry,
  stripCiliumSource,
} from './ciliumModel';

const ENTITIES = new Set([
  'all',
  'world',
  'world-ipv4',
  'world-ipv6',
  'cluster',
  'host',
  'remote-node',
  'kube-apiserver',
  'health',
  'init',
  'ingress',
  'unmanaged',
  'none',
]);

/**
 * Compiles a peer selector with Cilium's namespace scoping (docs/policy-semantics.md#cilium-1, #cilium-2):
 * a namespaced policy's selector without a namespace key (or namespace-label key)
 * only sees its own namespace; a clusterwide one sees every namespace.
 */
function compilePeerSelector(value: unknown, field: string, policyNamespace: string | undefined, sink: ProblemSink): CompiledSelector | undefined {
  const { selector, problems } = compileSelector(value, field, stripCiliumSource);
  problems.forEach(p => sink.add(p.field, p.message));
  if (!selector) return undefined;
  const namesNamespace = selector.keys.includes(CILIUM_NAMESPACE_LABEL) || selector.keys.some(k => k.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX));
  if (policyNamespace === undefined || namesNamespace) return selector;
  return {
    source: selector.source,
    selectsAll: false,
    keys: [...selector.keys, CILIUM_NAMESPACE_LABEL],
    matches: labels => labels[CILIUM_NAMESPACE_LABEL] === policyNamespace && selector.matches(labels),
  };
}

function compileRegex(value: unknown, field: string, sink: ProblemSink): RegExp | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    sink.add(field, 'must be a string (a regular expression)');
    return undefined;
  }
  try {
    // Envoy matches Cilium's HTTP regexes against the whole value.
    return new RegExp(`^(?:${value})$`);
  } catch {
    sink.add(field, `invalid regular expression ${JSON.stringify(value)}`);
    return undefined;
  }
}

function parsePortRule(value: unknown, field: string, sink: ProblemSink, isDeny: boolean): CiliumPortRule | undefined {
  if (!isPlainObject(value)) {
    sink.add(field, 'must be an object');
    return undefined;
  }
  const rule: CiliumPortRule = {};
  const ports = readList(value.ports, `${field}.ports`, sink);
  if (ports && ports.length > 0) {
    rule.ports = [];
    ports.forEach((p, i) => {
      const at = `${field}.ports[${i}]`;
      if (!isPlainObject(p)) {
        sink.add(at, 'must be an object');
        return;
      }
      const protocol = p.protocol === undefined || p.protocol === null ? 'ANY' : p.protocol;
      if (!['TCP', 'UDP', 'SCTP', 'ANY'].includes(protocol as string)) {
        sink.add(`${at}.protocol`, `unknown protocol ${JSON.stringify(protocol)} (TCP, UDP, SCTP or ANY)`);
        return;
      }
      const entry: CiliumPort = { protocol: protocol as CiliumProtocol };
      if (p.port !== undefined && p.port !== null && p.port !== '') {
        if (typeof p.port !== 'string') {
          sink.add(`${at}.port`, 'must be a string (the CRD rejects numbers): write "8080"');
          return;
        }
        if (/^\d+$/.test(p.port)) {
          const n = Number(p.port);
          if (n > 65535) {
            sink.add(`${at}.port`, `port must be 0-65535 (got ${p.port})`);
            return;
          }
          if (n !== 0) entry.port = n;
        } else if (isValidPortName(p.port)) {
          entry.port = p.port;
        } else {
          sink.add(`${at}.port`, `invalid port ${JSON.stringify(p.port)}`);
          return;
        }
      }
      if (p.endPort !== undefined && p.endPort !== null) {
        if (typeof entry.port !== 'number' || typeof p.endPort !== 'number' || p.endPort < entry.port || p.endPort > 65535) {
          sink.add(`${at}.endPort`, 'endPort needs a numeric port and must be >= port');
          return;
        }
        entry.endPort = p.endPort;
      }
      rule.ports!.push(entry);
    });
  }
  const l7 = value.rules;
  if (l7 !== undefined && l7 !== null) {
    if (isDeny) {
      sink.add(`${field}.rules`, 'deny rules cannot carry L7 rules');
    } else if (!isPlainObject(l7)) {
      sink.add(`${field}.rules`, 'must be an object');
    } else {
      for (const key of Object.keys(l7)) {
        if (key === 'http') continue;
        // DNS rules only shape DNS lookups, not reachability; other parsers we cannot judge.
        if (key !== 'dns') sink.add(`${field}.rules.${key}`, `L7 rules of type ${key} are not supported by the analyzer`);
      }
      const http = readList(l7.http, `${field}.rules.http`, sink);
      if (http) {
        rule.http = [];
        http.forEach((h, i) => {
          const at = `${field}.rules.http[${i}]`;
          if (!isPlainObject(h)) {
            sink.add(at, 'must be an object');
            return;
          }
          const headers = (readList(h.headers, `${at}.headers`, sink) ?? []).length + (readList(h.headerMatches, `${at}.headerMatches`, sink) ?? []).length;
          rule.http!.push({
            method: compileRegex(h.method, `${at}.method`, sink),
            path: compileRegex(h.path, `${at}.path`, sink),
            host: compileRegex(h.host, `${at}.host`, sink),
            headers,
            text: [h.method, h.path].filter(x => typeof x === 'string').join(' ') || 'any request',
          });
        });
      }
    }
  }
  return rule;
}

function parseEntry(
  value: unknown,
  field: string,
  direction: Direction,
  isDeny: boolean,
  policyNamespace: string | undefined,
  sink: ProblemSink,
  notes: string[],
): CiliumRuleEntry | undefined {
  if (!isPlainObject(value)) {
    sink.add(field, 'must be an object');
    return undefined;
  }
  const before = sink.problems.length;
  const p = direction === 'ingress' ? 'from' : 'to';
  const peers: CiliumPeers = { wildcard: false, endpoints: [], entities: [], cidrs: [] };
  let hasL3 = false;

  const endpoints = readList(value[`${p}Endpoints`], `${field}.${p}Endpoints`, sink);
  if (endpoints && endpoints.length > 0) {
    hasL3 = true;
    endpoints.forEach((e, i) => {
      const sel = compilePeerSelector(e, `${field}.${p}Endpoints[${i}]`, policyNamespace, sink);
      if (sel) peers.endpoints.push(sel);
    });
  }
  const entities = readStrings(value[`${p}Entities`], `${field}.${p}Entities`, sink);
  if (entities && entities.length > 0) {
    hasL3 = true;
    entities.forEach((e, i) => {
      if (!ENTITIES.has(e)) sink.add(`${field}.${p}Entities[${i}]`, `unknown entity ${JSON.stringify(e)}`);
      else peers.entities.push(e);
    });
  }
  const cidrs = readStrings(value[`${p}CIDR`], `${field}.${p}CIDR`, sink);
  if (cidrs && cidrs.length > 0) {
    hasL3 = true;
    cidrs.forEach((c, i) => {
      const cidr = parseCidr(c, true);
      if (!cidr) sink.add(`${field}.${p}CIDR[${i}]`, `invalid CIDR ${JSON.stringify(c)}`);
      else peers.cidrs.push({ cidr, except: [] });
    });
  }
  const cidrSets = readList(value[`${p}CIDRSet`], `${field}.${p}CIDRSet`, sink);
  if (cidrSets && cidrSets.length > 0) {
    hasL3 = true;
    cidrSets.forEach((s, i) => {
      const at = `${field}.${p}CIDRSet[${i}]`;
      if (!isPlainObject(s) || typeof s.cidr !== 'string') {
        sink.add(at, 'needs a cidr (cidrGroupRef and selectors are not supported by the analyzer)');
        return;
      }
      const cidr = parseCidr(s.cidr, true);
      if (!cidr) {
        sink.add(`${at}.cidr`, `invalid CIDR ${JSON.stringify(s.cidr)}`);
        return;
      }
      const except: Cidr[] = [];
      (readStrings(s.except, `${at}.except`, sink) ?? []).forEach((e, j) => {
        const c = parseCidr(e, true);
        if (!c || !cidrWithin(c, cidr)) sink.add(`${at}.except[${j}]`, `${e} is not a CIDR inside ${s.cidr}`);
        else except.push(c);
      });
      peers.cidrs.push({ cidr, except });
    });
  }
  // Fields that restrict other rules cannot be ignored without widening access.
  for (const key of [`${p}Requires`]) {
    if (value[key] !== undefined) sink.add(`${field}.${key}`, `${key} is not supported by the analyzer`);
  }
  // Fields that only add peers outside the model (nodes, FQDNs, cloud groups, Services):
  // ignoring them in an allow rule is narrower; in a deny rule it would be wider.
  if (value.toFQDNs !== undefined && !isDeny) {
    const fqdns = readList(value.toFQDNs, `${field}.toFQDNs`, sink) ?? [];
    peers.fqdns = [];
    fqdns.forEach((f, i) => {
      const matcher = isPlainObject(f) ? fqdnMatcher(f) : undefined;
      if (!matcher) sink.add(`${field}.toFQDNs[${i}]`, 'needs exactly one of matchName or matchPattern (a DNS name, * within a label)');
      else peers.fqdns!.push(matcher);
    });
    hasL3 = true;
  }
  for (const key of [`${p}Nodes`, `${p}Groups`, 'toFQDNs', 'toServices']) {
    if (value[key] === undefined || (key === 'toFQDNs' && !isDeny)) continue;
    if (isDeny || key === 'toServices') {
      sink.add(`${field}.${key}`, `${key} is not supported by the analyzer`);
    } else {
      hasL3 = true;
      notes.push(`${sink.object}: ${field}.${key} is ignored (its peers are outside the model)`);
    }
  }
  const toPorts = readList(value.toPorts, `${field}.toPorts`, sink);
  const entry: CiliumRuleEntry = { peers, icmpOnly: false };
  if (toPorts && toPorts.length > 0) {
    entry.toPorts = toPorts.map((t, i) => parsePortRule(t, `${field}.toPorts[${i}]`, sink, isDeny)).filter((t): t is CiliumPortRule => t !== undefined);
  }
  const icmps = readList(value.icmps, `${field}.icmps`, sink);
  if (icmps && icmps.length > 0 && !entry.toPorts) entry.icmpOnly = true;
  // L4-only rules (ports, no peers) apply to every peer; an empty rule `{}` to none (docs/policy-semantics.md#cilium-3).
  peers.wildcard = !hasL3 && (entry.toPorts !== undefined || entry.icmpOnly);
  if (value.authentication !== undefined) {
    notes.push(`${sink.object}: ${field}.authentication (Cilium mutual auth) is not modelled`);
  }
  return sink.problems.length === before ? entry : undefined;
}

function parseRule(value: unknown, field: string, namespace: string | undefined, sink: ProblemSink, notes: string[]): CiliumRule | undefined {
  if (!isPlainObject(value)) {
    sink.add(field, 'must be an object');
    return undefined;
  }
  const before = sink.problems.length;
  if (value.nodeSelector !== undefined && value.endpointSelector === undefined) {
    notes.push(`${sink.object}: ${field} selects nodes (host policy), which the analyzer does not model`);
    return undefined;
  }
  if (value.endpointSelector === undefined || value.endpointSelector === null) {
    sink.add(`${field}.endpointSelector`, 'is required');
    return undefined;
  }
  const { selector, problems } = compileSelector(
    withoutOverwrittenNamespace(value.endpointSelector, namespace),
    `${field}.endpointSelector`,
    stripCiliumSource,
  );
  problems.forEach(p => sink.add(p.field, p.message));
  const lists = {} as Record<'ingress' | 'ingressDeny' | 'egress' | 'egressDeny', CiliumRuleEntry[]>;
  for (const key of ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const) {
    const direction: Direction = key.startsWith('ingress') ? 'ingress' : 'egress';
    const list = readList(value[key], `${field}.${key}`, sink) ?? [];
    lists[key] = list
      .map((e, i) => parseEntry(e, `${field}.${key}[${i}]`, direction, key.endsWith('Deny'), namespace, sink, notes))
      .filter((e): e is CiliumRuleEntry => e !== undefined);
  }
  const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
  const hasIngress = nonEmpty(value.ingress) || nonEmpty(value.ingressDeny);
  const hasEgress = nonEmpty(value.egress) || nonEmpty(value.egressDeny);
  if (!hasIngress && !hasEgress) {
    sink.add(field, 'a rule needs at least one of ingress, ingressDeny, egress, egressDeny (Cilium rejects it)');
  }
  const defaultDeny: Record<Direction, boolean> = { ingress: hasIngress, egress: hasEgress };
  const edd = value.enableDefaultDeny;
  if (edd !== undefined && edd !== null) {
    if (!isPlainObject(edd)) sink.add(`${field}.enableDefaultDeny`, 'must be an object');
    else {
      for (const d of ['ingress', 'egress'] as const) {
        if (edd[d] === undefined || edd[d] === null) continue;
        if (typeof edd[d] !== 'boolean') sink.add(`${field}.enableDefaultDeny.${d}`, 'must be true or false');
        else defaultDeny[d] = (edd[d] as boolean) && (d === 'ingress' ? hasIngress : hasEgress);
      }
    }
  }
  if (sink.problems.length !== before || !selector) return undefined;
  const endpointSelector: CompiledSelector =
    namespace === undefined
      ? selector
      : {
          // docs/policy-semantics.md#cilium-1: a namespaced policy only ever selects its own namespace's pods.
          source: selector.source,
          selectsAll: false,
          keys: selector.keys,
          matches: labels => labels[CILIUM_NAMESPACE_LABEL] === namespace && selector.matches(labels),
        };
  return { endpointSelector, ...lists, defaultDeny };
}

/**
 * docs/policy-semantics.md#cilium-1 as Cilium implements it (ParseToCiliumRule):
 * in a namespaced policy, the agent writes the policy's namespace into the
 * endpointSelector's `k8s:io.kubernetes.pod.namespace` match label, replacing
 * any value the author gave there (found by tools/cilium-oracle). Written
 * without the `k8s:` source, or as an expression, the key stays and is ANDed.
 */
function withoutOverwrittenNamespace(endpointSelector: unknown, namespace: string | undefined): unknown {
  if (namespace === undefined || !isPlainObject(endpointSelector) || !isPlainObject(endpointSelector.matchLabels)) return endpointSelector;
  const key = `k8s:${CILIUM_NAMESPACE_LABEL}`;
  if (!(key in endpointSelector.matchLabels)) return endpointSelector;
  const matchLabels = Object.fromEntries(Object.entries(endpointSelector.matchLabels).filter(([k]) => k !== key));
  return { ...endpointSelector, matchLabels };
}

/** Parses a CNP (namespace given) or CCNP (namespace undefined): `spec` and/or `specs`. */
export function parseCiliumPolicy(
  obj: Record<string, unknown>,
  kind: CiliumPolicyModel['kind'],
  namespace: string | undefined,
  name: string,
  sink: ProblemSink,
  notes: string[],
): CiliumPolicyModel | undefined {
  const rules: CiliumRule[] = [];
  const hasSpec = obj.spec !== undefined && obj.spec !== null;
  const specs = readList(obj.specs, 'specs', sink);
  if (!hasSpec && (!specs || specs.length === 0)) {
    sink.add('spec', 'is required (spec or specs)');
    return undefined;
  }
  if (hasSpec) {
    const r = parseRule(obj.spec, 'spec', namespace, sink, notes);
    if (r) rules.push(r);
  }
  (specs ?? []).forEach((s, i) => {
    const r = parseRule(s, `specs[${i}]`, namespace, sink, notes);
    if (r) rules.push(r);
  });
  if (!sink.ok) return undefined;
  return { kind, ref: namespace ? `${namespace}/${name}` : name, namespace, name, rules };
}
