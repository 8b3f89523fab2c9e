import { DNS_LABEL, isRecord } from '../validation/fields';
import { cidrError } from '../validation/network';
import { compareText } from '../order';

/** What a platform service does to cells: scrapes their metrics, or is called by them. */
export const PLATFORM_ROLES = ['scrapes', 'called'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/**
 * A shared service outside every cell (docs/egress.md, "Platform services"):
 * the Prometheus that scrapes components, an OpenTelemetry collector or the
 * Kubernetes API server they call. Declared once by the platform in
 * `cells.platform.services`; components opt in.
 */
export interface PlatformService {
  name: string;
  role: PlatformRole;
  /** Where its pods run (absent for a service reached by address, e.g. the API server). */
  namespace?: string;
  podLabels?: Record<string, string>;
  /** Reached by address instead of pods (the API server's endpoint addresses). Sorted. */
  cidrs?: string[];
  /** Its pods' SPIFFE principal, without `spiffe://`; a scraper's L7 rule names it. */
  principal?: string;
  /** Ports a caller may declare (called); sorted. Empty for a scraper. */
  ports: number[];
  /** Its pods are in the ambient mesh: callers reach them over HBONE (15008). */
  mesh: boolean;
}

/** A setting that cannot be used: the key (under `cells.`), what is wrong, the fix. */
export interface PlatformSettingProblem {
  key: string;
  message: string;
  fix: string;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const PRINCIPAL = /^[^/*\s]+\/ns\/[a-z0-9]([-a-z0-9]*[a-z0-9])?\/sa\/[^/*\s]+$/;
const SERVICE_KEYS = ['name', 'role', 'namespace', 'podLabels', 'cidrs', 'principal', 'serviceAccount', 'ports', 'mesh'];

class Fail extends Error {
  constructor(readonly problem: PlatformSettingProblem) {
    super(problem.message);
  }
}

function fail(key: string, message: string, fix: string): never {
  throw new Fail({ key, message, fix });
}

function service(raw: unknown, at: string, trustDomain: string, meshEnabled: boolean): PlatformService {
  if (!isRecord(raw)) fail(at, 'must be an object', 'write {name, role: scrapes | called, namespace, podLabels, principal, ports}');
  const unknown = Object.keys(raw).find(k => !SERVICE_KEYS.includes(k));
  if (unknown) fail(`${at}.${unknown}`, 'is not a setting', `use only ${SERVICE_KEYS.join(', ')}`);
  const name = raw.name;
  if (typeof name !== 'string' || !DNS_LABEL.test(name)) fail(`${at}.name`, `${JSON.stringify(name)} is not a name`, 'use a DNS label such as monitoring');
  const role = raw.role;
  if (!(PLATFORM_ROLES as readonly unknown[]).includes(role)) {
    fail(
      `${at}.role`,
      `${JSON.stringify(role)} is not one of ${PLATFORM_ROLES.join(', ')}`,
      'write scrapes (it scrapes components) or called (components call it)',
    );
  }
  const namespace = raw.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || !DNS_LABEL.test(namespace))) {
    fail(`${at}.namespace`, `${JSON.stringify(namespace)} is not a namespace`, 'use a DNS label');
  }
  let podLabels: Record<string, string> | undefined;
  if (raw.podLabels !== undefined) {
    if (!isRecord(raw.podLabels) || Object.keys(raw.podLabels).length === 0)
      fail(`${at}.podLabels`, 'must be a non-empty map of labels', 'write labels that select exactly its pods');
    for (const [k, v] of Object.entries(raw.podLabels)) {
      if (!LABEL_KEY.test(k) || typeof v !== 'string' || !LABEL_VALUE.test(v)) {
        fail(`${at}.podLabels`, `${k}=${JSON.stringify(v)} is not a Kubernetes label`, 'use a valid label key and value');
      }
    }
    podLabels = raw.podLabels as Record<string, string>;
  }
  let cidrs: string[] | undefined;
  if (raw.cidrs !== undefined) {
    const bad = Array.isArray(raw.cidrs) ? raw.cidrs.find(c => typeof c !== 'string' || cidrError(c) !== undefined) : raw.cidrs;
    if (!Array.isArray(raw.cidrs) || raw.cidrs.length === 0 || bad !== undefined) {
      fail(`${at}.cidrs`, `${JSON.stringify(bad ?? raw.cidrs)} is not a CIDR`, 'list networks such as 172.18.0.2/32 (host bits zero)');
    }
    cidrs = [...new Set(raw.cidrs as string[])].sort(compareText);
  }
  const byPods = namespace !== undefined || podLabels !== undefined;
  if (byPods && (namespace === undefined || podLabels === undefined)) {
    fail(at, 'gives only one of namespace and podLabels', 'give both: the namespace of its pods and labels that select them');
  }
  if (byPods === (cidrs !== undefined)) {
    fail(at, 'must be reached either by pods (namespace and podLabels) or by address (cidrs)', 'give namespace and podLabels, or cidrs (e.g. the API server)');
  }
  if (role === 'scrapes' && !byPods) fail(`${at}.cidrs`, 'a scraper is admitted by its pods, not by address', 'give the namespace and podLabels of its pods');
  if (raw.principal !== undefined && raw.serviceAccount !== undefined) fail(at, 'gives both principal and serviceAccount', 'give one of them');
  let principal: string | undefined;
  if (raw.principal !== undefined) {
    if (typeof raw.principal !== 'string' || !PRINCIPAL.test(raw.principal)) {
      fail(
        `${at}.principal`,
        `${JSON.stringify(raw.principal)} is not one explicit principal`,
        'write <trust-domain>/ns/<namespace>/sa/<service-account>, no wildcard, no spiffe://',
      );
    }
    principal = raw.principal;
  } else if (raw.serviceAccount !== undefined) {
    if (typeof raw.serviceAccount !== 'string' || !DNS_LABEL.test(raw.serviceAccount) || namespace === undefined) {
      fail(
        `${at}.serviceAccount`,
        `${JSON.stringify(raw.serviceAccount)} is not a service account of the service's namespace`,
        'write a DNS label and give namespace',
      );
    }
    principal = `${trustDomain}/ns/${namespace}/sa/${raw.serviceAccount}`;
  }
  // Under STRICT mTLS a scrape is admitted by its identity at the cell's waypoint: no principal, no scrape.
  if (role === 'scrapes' && meshEnabled && principal === undefined) {
    fail(`${at}.principal`, 'a scraper needs its SPIFFE identity while cells.mesh.enabled is true', 'give principal or serviceAccount');
  }
  if (raw.mesh !== undefined && typeof raw.mesh !== 'boolean') fail(`${at}.mesh`, 'must be true or false', 'write true or false');
  const mesh = (raw.mesh as boolean | undefined) ?? (role === 'scrapes' && meshEnabled);
  if (mesh && !byPods) fail(`${at}.mesh`, 'a service reached by address has no pods in the mesh', 'leave mesh out');
  if (role === 'scrapes' && meshEnabled && !mesh)
    fail(`${at}.mesh`, "a scraper outside the mesh cannot pass the cells' STRICT mTLS", 'enrol the scraper in the ambient mesh and leave mesh out (or true)');
  let ports: number[] = [];
  if (raw.ports !== undefined) {
    const bad = Array.isArray(raw.ports) ? raw.ports.find(p => typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) : raw.ports;
    if (!Array.isArray(raw.ports) || raw.ports.length === 0 || bad !== undefined)
      fail(`${at}.ports`, `${JSON.stringify(bad ?? raw.ports)} is not a port`, 'list integers from 1 to 65535');
    ports = [...new Set(raw.ports as number[])].sort((a, b) => a - b);
  }
  if (role === 'called' && ports.length === 0) fail(`${at}.ports`, 'a called service needs the ports callers may use', 'list them, e.g. [4317]');
  if (role === 'scrapes' && ports.length > 0)
    fail(`${at}.ports`, "a scraper is called by nobody; the port it scrapes is each component's spec.metrics.port", 'leave ports out');
  return {
    name: name as string,
    role: role as PlatformRole,
    ...(namespace !== undefined ? { namespace: namespace as string } : {}),
    ...(podLabels ? { podLabels } : {}),
    ...(cidrs ? { cidrs } : {}),
    ...(principal ? { principal } : {}),
    ports,
    mesh,
  };
}

/**
 * Reads `cells.platform` (`{services: [...]}`). Returns the services sorted by
 * name, or the first problem naming its key (e.g. `platform.services[1].role`).
 */
export function readPlatformServices(raw: unknown, trustDomain: string, meshEnabled: boolean): PlatformService[] | PlatformSettingProblem {
  try {
    if (raw === undefined) return [];
    if (!isRecord(raw)) fail('platform', 'must be an object', 'write {services: [...]}');
    const unknown = Object.keys(raw).find(k => k !== 'services');
    if (unknown) fail(`platform.${unknown}`, 'is not a setting', 'use services');
    if (raw.services === undefined) return [];
    if (!Array.isArray(raw.services)) fail('platform.services', 'must be a list', 'list {name, role, namespace, podLabels, principal, ports}');
    const services = raw.services.map((s, i) => service(s, `platform.services[${i}]`, trustDomain, meshEnabled));
    const names = services.map(s => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) fail('platform.services', `the service ${dup} is listed twice`, 'give each service a distinct name');
    return services.sort((a, b) => compareText(a.name, b.name));
  } catch (e) {
    if (e instanceof Fail) return e.problem;
    throw e;
  }
}

/** The principal-less description of a service's pods, for messages. */
export function describePlatformService(s: PlatformService): string {
  return s.cidrs ? `${s.name} (${s.cidrs.join(', ')})` : `${s.name} (${s.namespace})`;
}
