import { DNS_LABEL, isRecord } from '../validation/fields';
import { cidrError } from '../validation/network';
import { compareText } from '../order';
import { CellsSettings, DEFAULT_SETTINGS, PodPeer } from './settings';
import { readPlatformServices } from './platform';
import { SAMPLE_ROUTE_VALUES, SUBJECT_PATTERN, hostnameError, pathPrefixError, renderTemplate, templateError } from './templates';

import { SettingsError } from './errors';
import { readFrontDoor } from './frontDoor';

export { SettingsError } from './errors';

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function str(raw: Record<string, unknown>, key: string, path: string, fallback: string, pattern?: RegExp): string {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '' || (pattern && !pattern.test(value))) {
    throw new SettingsError(`${path}${key}`, `${JSON.stringify(value)} is not valid`, pattern ? `use a value matching ${pattern}` : 'use a non-empty string');
  }
  return value;
}

function oneOf<T extends string>(raw: Record<string, unknown>, key: string, path: string, fallback: T, allowed: readonly T[]): T {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new SettingsError(`${path}${key}`, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`, `use one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function section(raw: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = raw[key];
  if (value === undefined) return {};
  if (!isRecord(value)) throw new SettingsError(key, 'must be an object', 'write a mapping');
  return value;
}

function labels(raw: Record<string, unknown>, key: string, path: string, fallback: Record<string, string>): Record<string, string> {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (!isRecord(value) || Object.keys(value).length === 0) {
    throw new SettingsError(`${path}${key}`, 'must be a non-empty map of labels', 'write labels that select exactly those pods');
  }
  for (const [k, v] of Object.entries(value)) {
    if (!LABEL_KEY.test(k) || typeof v !== 'string' || !LABEL_VALUE.test(v)) {
      throw new SettingsError(`${path}${key}`, `${k}=${JSON.stringify(v)} is not a Kubernetes label`, 'use a valid label key and value');
    }
  }
  return value as Record<string, string>;
}

function peer(raw: Record<string, unknown>, path: string, fallback: PodPeer): PodPeer {
  return {
    namespace: str(raw, 'namespace', path, fallback.namespace, DNS_LABEL),
    podLabels: labels(raw, 'podLabels', path, fallback.podLabels),
  };
}

function port(raw: Record<string, unknown>, key: string, path: string, fallback: number): number {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new SettingsError(`${path}${key}`, `${JSON.stringify(value)} is not a port`, 'use an integer from 1 to 65535');
  }
  return value;
}

function routes(gateway: Record<string, unknown>): CellsSettings['gateway']['routes'] {
  const raw = gateway.routes;
  if (raw === undefined) return DEFAULT_SETTINGS.gateway.routes;
  if (!isRecord(raw)) throw new SettingsError('gateway.routes', 'must be an object', 'write {hostname?, pathPrefix?}');
  const unknown = Object.keys(raw).find(k => !['hostname', 'pathPrefix'].includes(k));
  if (unknown) throw new SettingsError(`gateway.routes.${unknown}`, 'is not a setting', 'use hostname and pathPrefix');
  const check = (key: 'hostname' | 'pathPrefix', error: (value: string) => string | undefined, example: string) => {
    const value = raw[key];
    if (value === undefined) return undefined;
    const problem = typeof value !== 'string' ? 'must be a string' : templateError(value) ?? error(renderTemplate(value, SAMPLE_ROUTE_VALUES));
    if (problem) throw new SettingsError(`gateway.routes.${key}`, `${JSON.stringify(value)} ${problem}`, `write a template such as ${example}`);
    return value as string;
  };
  const hostname = check('hostname', hostnameError, '"{component}-{cell}.apps.example.com"');
  const pathPrefix = check('pathPrefix', pathPrefixError, '"/{cell}/{component}/{endpoint}"');
  // A hostname per endpoint tells routes apart on its own; without one, the path must.
  return { ...(hostname ? { hostname } : {}), pathPrefix: pathPrefix ?? (hostname ? '/' : DEFAULT_SETTINGS.gateway.routes.pathPrefix) };
}

/** A list of CIDRs (network addresses, host bits zero). */
function cidrList(raw: Record<string, unknown>, key: string, path: string, fallback: string[]): string[] {
  const value = raw[key];
  if (value === undefined) return fallback;
  const bad = !Array.isArray(value) ? value : value.find(v => typeof v !== 'string' || cidrError(v) !== undefined);
  if (!Array.isArray(value) || bad !== undefined) {
    throw new SettingsError(`${path}${key}`, `${JSON.stringify(bad)} is not a CIDR`, 'list networks such as 10.42.0.0/16 (host bits zero)');
  }
  return [...new Set(value as string[])].sort(compareText);
}

function subjects(rbac: Record<string, unknown>): string[] {
  const raw = rbac.subjects;
  if (raw === undefined) return DEFAULT_SETTINGS.rbac.subjects;
  if (!Array.isArray(raw) || raw.some(p => typeof p !== 'string' || !SUBJECT_PATTERN.test(p))) {
    throw new SettingsError(
      'rbac.subjects',
      `${JSON.stringify(raw)} is not a list of owner patterns`,
      'list patterns such as "group:default/*" or "user:default/alice" (lower case, * for any run of characters)',
    );
  }
  return raw as string[];
}

/**
 * Reads the `cells:` section of app-config (as a plain object, e.g.
 * `config.getOptional('cells')`) over the defaults. Throws SettingsError on the
 * first unusable value: a bad setting never silently becomes a wider policy.
 */
export function readCellsSettings(raw: unknown): CellsSettings {
  if (raw === undefined || raw === null) return DEFAULT_SETTINGS;
  if (!isRecord(raw)) throw new SettingsError('', 'must be an object', 'write a mapping under `cells:`');
  const d = DEFAULT_SETTINGS;

  let environments = d.environments;
  if (raw.environments !== undefined) {
    if (!Array.isArray(raw.environments) || raw.environments.length === 0) {
      throw new SettingsError('environments', 'must be a non-empty list', 'list {name, networkPolicy: kubernetes | cilium}');
    }
    environments = raw.environments.map((env, i) => {
      if (!isRecord(env)) throw new SettingsError(`environments[${i}]`, 'must be an object', 'write {name, networkPolicy}');
      const enforcement =
        env.enforcement === undefined ? undefined : oneOf(env, 'enforcement', `environments[${i}].`, 'enforce', ['audit', 'enforce'] as const);
      return {
        name: str(env, 'name', `environments[${i}].`, '', DNS_LABEL),
        networkPolicy: oneOf(env, 'networkPolicy', `environments[${i}].`, 'kubernetes' as const, ['kubernetes', 'cilium'] as const),
        ...(enforcement ? { enforcement } : {}),
      };
    });
    const names = environments.map(e => e.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new SettingsError('environments', `environment ${dup} is listed twice`, 'list each environment once');
  }
  const names = environments.map(e => e.name);
  let defaultEnvironments = raw.defaultEnvironments === undefined ? [names[0]] : raw.defaultEnvironments;
  if (raw.defaultEnvironments === undefined && raw.environments === undefined) defaultEnvironments = d.defaultEnvironments;
  if (!Array.isArray(defaultEnvironments) || defaultEnvironments.length === 0 || defaultEnvironments.some(e => !names.includes(e))) {
    throw new SettingsError(
      'defaultEnvironments',
      `${JSON.stringify(defaultEnvironments)} must list configured environments`,
      `use names from cells.environments: ${names.join(', ')}`,
    );
  }

  const naming = section(raw, 'naming');
  const mesh = section(raw, 'mesh');
  const controlPlane = isRecord(mesh.controlPlane) ? mesh.controlPlane : {};
  const gateway = section(raw, 'gateway');
  const dns = section(raw, 'dns');
  const rbac = section(raw, 'rbac');
  const compliance = section(raw, 'compliance');
  const egress = section(raw, 'egress');
  const cluster = section(raw, 'cluster');
  if (egress.wildcardHosts !== undefined && typeof egress.wildcardHosts !== 'boolean') {
    throw new SettingsError('egress.wildcardHosts', 'must be true or false', 'write true or false');
  }
  if (compliance.requireReasons !== undefined && typeof compliance.requireReasons !== 'boolean') {
    throw new SettingsError('compliance.requireReasons', 'must be true or false', 'write true or false');
  }
  if (mesh.enabled !== undefined && typeof mesh.enabled !== 'boolean') {
    throw new SettingsError('mesh.enabled', 'must be true or false', 'write true or false');
  }
  if (rbac.enabled !== undefined && typeof rbac.enabled !== 'boolean') {
    throw new SettingsError('rbac.enabled', 'must be true or false', 'write true or false');
  }
  const principal = str(gateway, 'principal', 'gateway.', d.gateway.principal);
  if (principal.includes('*') || principal.startsWith('spiffe://') || !/^[^/]+\/ns\/[^/]+\/sa\/[^/]+$/.test(principal)) {
    throw new SettingsError(
      'gateway.principal',
      `${JSON.stringify(principal)} is not one explicit principal`,
      'write <trust-domain>/ns/<namespace>/sa/<service-account>, no wildcard, no spiffe://',
    );
  }
  let rules = d.rbac.rules;
  if (rbac.rules !== undefined) {
    const ok =
      Array.isArray(rbac.rules) &&
      rbac.rules.every(
        r => isRecord(r) && ['apiGroups', 'resources', 'verbs'].every(k => Array.isArray(r[k]) && (r[k] as unknown[]).every(x => typeof x === 'string')),
      );
    if (!ok) throw new SettingsError('rbac.rules', 'must be a list of {apiGroups, resources, verbs}', 'write Kubernetes RBAC PolicyRules');
    rules = rbac.rules as CellsSettings['rbac']['rules'];
  }
  const trustDomain = str(mesh, 'trustDomain', 'mesh.', d.mesh.trustDomain, /^[a-z0-9.-]+$/);
  const meshEnabled = (mesh.enabled as boolean | undefined) ?? d.mesh.enabled;
  const platform = readPlatformServices(raw.platform, trustDomain, meshEnabled);
  if (!Array.isArray(platform)) throw new SettingsError(platform.key, platform.message, platform.fix);
  return {
    environments,
    defaultEnvironments: defaultEnvironments as string[],
    naming: {
      scheme: oneOf(naming, 'scheme', 'naming.', d.naming.scheme, ['openchoreo', 'cell-env'] as const),
      controlPlaneNamespace: naming.controlPlaneNamespace === undefined ? undefined : str(naming, 'controlPlaneNamespace', 'naming.', '', DNS_LABEL),
    },
    podLabelKey: str(raw, 'podLabelKey', '', d.podLabelKey, LABEL_KEY),
    podSecurity: oneOf(raw, 'podSecurity', '', d.podSecurity, ['privileged', 'baseline', 'restricted'] as const),
    mesh: {
      enabled: meshEnabled,
      trustDomain,
      waypointName: str(mesh, 'waypointName', 'mesh.', d.mesh.waypointName, DNS_LABEL),
      controlPlane: {
        ...peer(controlPlane, 'mesh.controlPlane.', d.mesh.controlPlane),
        port: port(controlPlane, 'port', 'mesh.controlPlane.', d.mesh.controlPlane.port),
      },
    },
    gateway: {
      ...peer(gateway, 'gateway.', d.gateway),
      name: str(gateway, 'name', 'gateway.', d.gateway.name, DNS_LABEL),
      className: str(gateway, 'className', 'gateway.', d.gateway.className),
      principal,
      routes: routes(gateway),
      ...readFrontDoor(gateway),
    },
    dns: { ...peer(dns, 'dns.', d.dns), port: port(dns, 'port', 'dns.', d.dns.port) },
    services: oneOf(raw, 'services', '', d.services, ['generate', 'bring-your-own'] as const),
    rbac: { enabled: (rbac.enabled as boolean | undefined) ?? d.rbac.enabled, rules, subjects: subjects(rbac) },
    compliance: { requireReasons: (compliance.requireReasons as boolean | undefined) ?? d.compliance.requireReasons },
    egress: {
      namespace: str(egress, 'namespace', 'egress.', d.egress.namespace, DNS_LABEL),
      waypointName: str(egress, 'waypointName', 'egress.', d.egress.waypointName, DNS_LABEL),
      deny: cidrList(egress, 'deny', 'egress.', d.egress.deny),
      wildcardHosts: (egress.wildcardHosts as boolean | undefined) ?? d.egress.wildcardHosts,
    },
    platform: { services: platform },
    cluster: {
      podCIDRs: cidrList(cluster, 'podCIDRs', 'cluster.', d.cluster.podCIDRs),
      serviceCIDRs: cidrList(cluster, 'serviceCIDRs', 'cluster.', d.cluster.serviceCIDRs),
    },
  };
}
