/**
 * Istio ServiceEntry (networking.istio.io): the external hosts the mesh
 * knows. A ServiceEntry is effectively cluster-wide (ztunnel ignores exportTo,
 * docs/egress.md), and mesh traffic for its hosts goes through the waypoint
 * its labels or its namespace's name.
 */
import type { Labels } from '../labels';
import {
  isPlainObject,
  isValidPortNumber,
  NamespaceModel,
  ProblemSink,
  readList,
  readStrings,
  ServiceEntryModel,
  USE_WAYPOINT_LABEL,
  USE_WAYPOINT_NAMESPACE_LABEL,
} from './model';

export function parseServiceEntry(
  value: Record<string, unknown>,
  namespace: string,
  name: string,
  labels: Labels,
  sink: ProblemSink,
): ServiceEntryModel | undefined {
  const spec = isPlainObject(value.spec) ? value.spec : {};
  const hosts = readStrings(spec.hosts, 'spec.hosts', sink) ?? [];
  if (hosts.length === 0) sink.add('spec.hosts', 'must list at least one host');
  const ports: ServiceEntryModel['ports'] = [];
  (readList(spec.ports, 'spec.ports', sink) ?? []).forEach((p, i) => {
    if (!isPlainObject(p) || !isValidPortNumber(p.number)) {
      sink.add(`spec.ports[${i}].number`, 'must be a port number');
      return;
    }
    ports.push({ number: p.number, protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP', name: typeof p.name === 'string' ? p.name : '' });
  });
  if (spec.workloadSelector !== undefined || spec.endpoints !== undefined) {
    sink.add('spec', 'endpoints and workloadSelector (ServiceEntries for workloads) are not supported by the analyzer');
  }
  if (!sink.ok) return undefined;
  return {
    key: `${namespace}/${name}`,
    namespace,
    name,
    labels,
    hosts,
    ports,
    location: spec.location === 'MESH_INTERNAL' ? 'MESH_INTERNAL' : 'MESH_EXTERNAL',
  };
}

/** `*.suffix` matches names under the suffix (not the suffix itself); anything else matches itself. */
export function serviceEntryHostMatches(pattern: string, host: string): boolean {
  const h = host.toLowerCase();
  const p = pattern.toLowerCase();
  return p === h || (p.startsWith('*.') && h.endsWith(p.slice(1)) && h.length > p.length - 1);
}

/** The ServiceEntry that routes `host` on `port` (the oldest in input order when several do). */
export function serviceEntryFor(entries: readonly ServiceEntryModel[], host: string, port: number): ServiceEntryModel | undefined {
  return entries.find(e => e.hosts.some(h => serviceEntryHostMatches(h, host)) && e.ports.some(p => p.number === port));
}

/** `namespace/name` of the waypoint a ServiceEntry uses: its own label first, then its namespace's; `none` opts out. */
export function serviceEntryWaypoint(entry: ServiceEntryModel, namespace: NamespaceModel | undefined): string | undefined {
  const own = entry.labels[USE_WAYPOINT_LABEL];
  const name = own ?? namespace?.labels[USE_WAYPOINT_LABEL];
  if (!name || name === 'none') return undefined;
  const ns = (own ? entry.labels[USE_WAYPOINT_NAMESPACE_LABEL] : namespace?.labels[USE_WAYPOINT_NAMESPACE_LABEL]) ?? entry.namespace;
  return `${ns}/${name}`;
}
