/**
 * The connection list's destinations outside the cluster: every host and
 * network the manifests name (ServiceEntry hosts, Cilium `toFQDNs`, ipBlocks
 * and `toCIDRSet` in egress rules), and which workloads may reach each, on
 * which ports. Each verdict is egressAllowed's, the check `verify` makes
 * (analyzeEgress's verdict without the reasons, as `simulate --to-host/--to-ip`
 * explains it; docs/egress.md).
 */
import { compareText } from '../order';
import { ConnlistRequest, mergeRanges, portClasses, rangesText } from './connlist';
import { egressAllowed, EgressRequest } from './egress';
import { fqdnHost } from './fqdn';
import { Cidr, sampleAddress } from './ip';
import { matrixWorkloads } from './matrix';
import { assertAnalyzable } from './request';
import { ClusterModel, ServiceEntryModel } from './model';

export type ExternalProtocol = 'TLS' | 'HTTP' | 'TCP';

/** One HTTP request a connection list asks with. */
export interface ExternalSample {
  method: string;
  path: string;
}

/** A destination outside the cluster the manifests name. */
export interface ExternalDestination {
  kind: 'host' | 'cidr';
  /** The host (`*.suffix` or a toFQDNs pattern as written) or the network. */
  target: string;
  /** A network's carve-outs. */
  except?: string[];
  protocol: ExternalProtocol;
  /** The ports a ServiceEntry routes; absent: every TCP port class (networks, toFQDNs). */
  ports?: number[];
  /** An HTTP host's requests: `GET /` and each operation a policy bound to its ServiceEntry names. */
  samples?: ExternalSample[];
}

/** A workload that may reach a destination outside the cluster. */
export interface ExternalConnection {
  from: string;
  kind: 'host' | 'cidr';
  to: string;
  except?: string[];
  protocol: ExternalProtocol;
  /** e.g. `443`, `5432`, `1-65535`. */
  ports: string;
  ranges: [number, number][];
  /** HTTP: the asked requests that were allowed, when not every one was (`GET /forecast`). */
  operations?: string[];
}

export interface ExternalConnlistResult {
  destinations: ExternalDestination[];
  /** By caller, destination, protocol and first port (code-unit order). */
  connections: ExternalConnection[];
}

/** Istio's port protocols as the egress check asks: passthrough TLS by its SNI, HTTP by its request, the rest as bytes. */
export function externalProtocolOf(portProtocol: string): ExternalProtocol {
  const p = portProtocol.toUpperCase();
  if (p === 'TLS' || p === 'HTTPS') return 'TLS';
  if (p === 'HTTP' || p === 'HTTP2' || p === 'GRPC') return 'HTTP';
  return 'TCP';
}

/** A concrete value an Istio path pattern matches: `/a/*` -> `/a/cellplane-probe`, `*` -> `/`. */
function concretePath(pattern: string): string {
  if (pattern === '*') return '/';
  if (pattern.endsWith('*')) return `${pattern.slice(0, -1)}cellplane-probe`;
  if (pattern.startsWith('*')) return `/cellplane-probe${pattern.slice(1)}`;
  return pattern;
}

/** `GET /`, then each method and path an ALLOW rule of a policy bound to the ServiceEntry names. */
function samplesOf(model: ClusterModel, entry: ServiceEntryModel): ExternalSample[] {
  const found = new Map<string, ExternalSample>([['GET /', { method: 'GET', path: '/' }]]);
  const bound = model.authorizationPolicies.filter(
    p => p.action === 'ALLOW' && p.namespace === entry.namespace && (p.targetRefs ?? []).some(t => t.kind === 'ServiceEntry' && t.name === entry.name),
  );
  for (const policy of bound) {
    for (const rule of policy.rules) {
      for (const op of rule.to ?? []) {
        for (const method of op.methods ?? ['GET']) {
          for (const path of op.paths ?? ['/']) {
            const sample = { method: method === '*' ? 'GET' : method, path: concretePath(path) };
            found.set(`${sample.method} ${sample.path}`, sample);
          }
        }
      }
    }
  }
  return [...found.values()];
}

const WORLD_ENTITIES = new Set(['world', 'world-ipv4', 'all']);

const destinationKey = (d: ExternalDestination) => `${d.kind} ${d.target} ${d.protocol} ${(d.except ?? []).join(',')}`;

/** Every host and network outside the cluster the manifests name, each once per protocol (and carve-outs). */
export function externalDestinations(model: ClusterModel): ExternalDestination[] {
  const found = new Map<string, ExternalDestination>();
  const add = (d: ExternalDestination) => {
    const key = destinationKey(d);
    const known = found.get(key);
    if (!known) found.set(key, d);
    else if (known.ports && d.ports) known.ports = [...new Set([...known.ports, ...d.ports])].sort((a, b) => a - b);
    else if (!d.ports) delete known.ports;
  };
  for (const entry of model.serviceEntries) {
    if (entry.location !== 'MESH_EXTERNAL') continue;
    for (const host of entry.hosts) {
      for (const port of entry.ports) {
        const protocol = externalProtocolOf(port.protocol);
        add({ kind: 'host', target: host, protocol, ports: [port.number], ...(protocol === 'HTTP' ? { samples: samplesOf(model, entry) } : {}) });
      }
    }
  }
  const network = (cidr: Cidr, except: Cidr[]) => {
    const carved = except.map(e => e.text).sort(compareText);
    add({ kind: 'cidr', target: cidr.text, ...(carved.length ? { except: carved } : {}), protocol: 'TCP' });
  };
  for (const policy of model.networkPolicies) {
    for (const rule of policy.egress) for (const peer of rule.peers ?? []) if (peer.kind === 'ipBlock') network(peer.cidr, peer.except);
  }
  for (const policy of model.ciliumPolicies) {
    for (const rule of policy.rules) {
      for (const entry of rule.egress) {
        entry.peers.cidrs.forEach(c => network(c.cidr, c.except));
        // toEntities world: every address outside the cluster.
        if (entry.peers.entities.some(e => WORLD_ENTITIES.has(e))) add({ kind: 'cidr', target: '0.0.0.0/0', protocol: 'TCP' });
        for (const fqdn of entry.peers.fqdns ?? []) add({ kind: 'host', target: fqdn.text, protocol: 'TCP' });
      }
    }
  }
  return [...found.values()].sort((a, b) => compareText(destinationKey(a), destinationKey(b)));
}

/** The requests that stand for a destination on one port; none for a network whose addresses are all carved out (or IPv6). */
function requestsOf(d: ExternalDestination, from: string, port: number): EgressRequest[] {
  if (d.kind === 'cidr') {
    const ip = sampleAddress(d.target, d.except);
    return ip ? [{ from, ip, port, protocol: 'TCP' }] : [];
  }
  const host = fqdnHost(d.target);
  if (d.protocol !== 'HTTP') return [{ from, host, port, protocol: d.protocol }];
  return (d.samples ?? [{ method: 'GET', path: '/' }]).map(s => ({ from, host, port, protocol: 'HTTP', method: s.method, path: s.path }));
}

/**
 * For every workload (synthesized waypoints only on request) and every
 * destination outside the cluster, the ports on which egressAllowed allows
 * the request. A ServiceEntry's host is asked on its ports; a network or a
 * toFQDNs name on every TCP port class (the analyzer judges TCP only).
 */
export function analyzeExternalConnlist(model: ClusterModel, request: Pick<ConnlistRequest, 'includeSynthesized'> = {}): ExternalConnlistResult {
  assertAnalyzable(model);
  const destinations = externalDestinations(model);
  const connections: ExternalConnection[] = [];
  if (destinations.length === 0) return { destinations, connections };
  const tcpClasses = portClasses(model).filter(c => c.protocol === 'TCP');
  for (const workload of matrixWorkloads(model, request.includeSynthesized)) {
    for (const d of destinations) {
      const asked: { ranges: [number, number][]; port: number }[] = d.ports
        ? d.ports.map(p => ({ ranges: [[p, p]], port: p }))
        : tcpClasses.map(c => ({ ranges: c.ranges, port: c.representative }));
      // Ports grouped by which of the asked requests were allowed ('' for none).
      const byOutcome = new Map<string, [number, number][]>();
      for (const { ranges, port } of asked) {
        const requests = requestsOf(d, workload.key, port);
        const allowed = requests.filter(r => egressAllowed(model, r));
        if (allowed.length === 0) continue;
        const key = allowed.length === requests.length ? '' : allowed.map(r => `${r.method} ${r.path}`).join('\n');
        byOutcome.set(key, [...(byOutcome.get(key) ?? []), ...ranges]);
      }
      for (const [key, ranges] of byOutcome) {
        const merged = mergeRanges(ranges);
        connections.push({
          from: workload.key,
          kind: d.kind,
          to: d.target,
          ...(d.except ? { except: d.except } : {}),
          protocol: d.protocol,
          ports: rangesText(merged),
          ranges: merged,
          ...(key ? { operations: key.split('\n') } : {}),
        });
      }
    }
  }
  connections.sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to) || compareText(a.protocol, b.protocol) || a.ranges[0][0] - b.ranges[0][0]);
  return { destinations, connections };
}

/** One line for people: `kennedy/weather-station -> api.weather.gov:443 (TLS)`, `-> 10.20.8.0/24:5432 (TCP, except 10.20.8.0/28)`. */
export function formatExternalConnection(c: ExternalConnection): string {
  const ports = c.ports === '1-65535' ? '*' : c.ports;
  const details = [c.protocol, ...(c.except ? [`except ${c.except.join(',')}`] : []), ...(c.operations ? [`only ${c.operations.join(', ')}`] : [])];
  return `${c.from} -> ${c.to}:${ports} (${details.join(', ')})`;
}
