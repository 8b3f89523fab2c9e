import { CellComponent, CellModel, EgressRule } from '../model/types';
import { cidrContains, istioStringMatches, normalizeRequestPath, parseCidr } from '../analyzer';
import { STAND_IN_PUBLIC_ADDRESS } from '../analyzer/egress';
import { hostMatches } from '../validation/network';

/** One request to a destination outside the cluster, in catalog terms. */
export interface EgressProbe {
  host?: string;
  ip?: string;
  port: number;
  protocol: 'TLS' | 'HTTP' | 'TCP';
  method?: string;
  path?: string;
  /** A TLS server name other than the host. */
  sni?: string;
}

function hostCovers(entry: EgressRule, probe: EgressProbe): boolean {
  if (entry.kind !== 'host' || !probe.host || !hostMatches(entry.host, probe.host) || !entry.ports.includes(probe.port) || entry.protocol !== probe.protocol)
    return false;
  if (probe.protocol === 'TLS') return (probe.sni ?? probe.host) === probe.host;
  if (probe.protocol !== 'HTTP') return true;
  if (entry.methods && !(probe.method && entry.methods.includes(probe.method))) return false;
  const path = probe.path === undefined ? undefined : normalizeRequestPath(probe.path);
  return !entry.paths || (!!path && entry.paths.some(p => istioStringMatches(p, path)));
}

function cidrCovers(entry: EgressRule, address: string, port: number): boolean {
  if (entry.kind !== 'cidr' || !entry.ports.includes(port) || entry.protocol !== 'TCP') return false;
  const inside = (c: string) => cidrContains(parseCidr(c)!, address);
  return inside(entry.cidr) && !(entry.except ?? []).some(inside);
}

/**
 * Hosts some component routes through the egress waypoint: a request for them
 * never leaves straight from the pod. None without the mesh: there is no
 * waypoint, and host entries are refused (validation/egress.ts) and never compiled.
 */
export function routedHosts(model: CellModel, meshEnabled = true): Set<string> {
  if (!meshEnabled) return new Set();
  return new Set(model.components.flatMap(c => (c.egress ?? []).flatMap(e => (e.kind === 'host' ? e.ports.map(p => `${e.host}:${p}`) : []))));
}

/** Per set of routed hosts, its wildcard ones: an exact one is found in the set itself. */
const wildcardRoutes = new WeakMap<Set<string>, { host: string; port: number }[]>();

/** Whether a ServiceEntry routes `host` on `port`: `verify` asks this of every probe from every caller. */
function isRouted(routed: Set<string>, host: string, port: number): boolean {
  if (routed.has(`${host}:${port}`)) return true;
  let wildcards = wildcardRoutes.get(routed);
  if (!wildcards) {
    wildcards = [...routed].filter(r => r.startsWith('*.')).map(r => ({ host: r.slice(0, r.lastIndexOf(':')), port: Number(r.slice(r.lastIndexOf(':') + 1)) }));
    wildcardRoutes.set(routed, wildcards);
  }
  return wildcards.some(w => w.port === port && hostMatches(w.host, host));
}

/**
 * What the catalog declares for one component and one request outside the
 * cluster: a host entry that covers it, or (for an address, or a host no
 * ServiceEntry routes, which the pod dials straight) a network entry.
 */
export function catalogAllowsEgress(component: CellComponent | undefined, probe: EgressProbe, routed: Set<string>): boolean {
  if (!component) return false;
  const entries = component.egress ?? [];
  if (probe.host && isRouted(routed, probe.host, probe.port)) return entries.some(e => hostCovers(e, probe));
  const address = probe.ip ?? STAND_IN_PUBLIC_ADDRESS;
  return entries.some(e => cidrCovers(e, address, probe.port));
}
