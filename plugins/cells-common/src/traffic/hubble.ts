/**
 * Hubble flows (cilium/cilium api/v1/flow/flow.proto) to observations. The
 * input is a flow as `hubble observe -o jsonpb` prints it: protojson with the
 * proto field names, enums by name, wrappers unwrapped, times in RFC 3339.
 * The relay source converts its gRPC messages to the same shape.
 *
 * Hubble reports packets and events, not calls. One call is counted once:
 * - L7: each HTTP request record (`l7.type: REQUEST`); responses are not calls.
 * - L3/L4: policy verdict (5), trace (4) and drop (1) events that start a
 *   connection (not a reply; TCP with SYN and without ACK), merged per
 *   connection (addresses, ports, protocol) over CONNECTION_WINDOW_MS: the
 *   egress and ingress verdicts of one connection, and its retransmitted SYNs,
 *   are one observation, denied if any of its events was a drop.
 *   Trace events count at delivery to a pod (`TO_ENDPOINT`) or, towards an
 *   address outside the cluster, on the way out.
 */
import { attributeWorkload, AttributionIndex, ObservedWorkload } from './attribution';
import { HBONE_PORT } from '../analyzer/model';
import { Observation, ObservedProtocol, ObservedVerdict, SkipCounts } from './types';

export interface HubbleEndpoint {
  ID?: number;
  identity?: number;
  cluster_name?: string;
  namespace?: string;
  /** `source:key=value`, e.g. `k8s:app=web`, `reserved:world`. */
  labels?: string[];
  pod_name?: string;
  workloads?: { name?: string; kind?: string }[];
}

interface HubblePorts {
  source_port?: number;
  destination_port?: number;
}

export interface HubblePolicy {
  name?: string;
  namespace?: string;
  kind?: string;
}

export interface HubbleFlow {
  time?: string;
  uuid?: string;
  verdict?: string;
  drop_reason_desc?: string;
  IP?: { source?: string; destination?: string; ipVersion?: string };
  l4?: {
    TCP?: HubblePorts & { flags?: Record<string, boolean> };
    UDP?: HubblePorts;
    SCTP?: HubblePorts;
    ICMPv4?: unknown;
    ICMPv6?: unknown;
  };
  source?: HubbleEndpoint;
  destination?: HubbleEndpoint;
  Type?: string;
  node_name?: string;
  source_names?: string[];
  destination_names?: string[];
  l7?: { type?: string; latency_ns?: string; http?: { code?: number; method?: string; url?: string; protocol?: string }; dns?: unknown };
  is_reply?: boolean;
  event_type?: { type?: number; sub_type?: number };
  traffic_direction?: string;
  trace_observation_point?: string;
  egress_denied_by?: HubblePolicy[];
  ingress_denied_by?: HubblePolicy[];
}

/** One line of `hubble observe -o jsonpb`: an observer.GetFlowsResponse. */
export interface HubbleRecord {
  flow?: HubbleFlow;
  node_name?: string;
  time?: string;
  node_status?: unknown;
  lost_events?: unknown;
}

/** Events of one connection closer together than this are one call. */
export const CONNECTION_WINDOW_MS = 60_000;

const EVENT_DROP = 1;
const EVENT_TRACE = 4;
const EVENT_POLICY_VERDICT = 5;
const OUTWARD_POINTS = new Set(['TO_STACK', 'TO_NETWORK', 'TO_OVERLAY', 'TO_HOST']);
const ALLOWED_VERDICTS = new Set(['FORWARDED', 'REDIRECTED', 'TRACED', 'TRANSLATED', 'AUDIT']);

/** Pod labels, namespace and service account from Hubble's `source:key=value` labels. */
export function readHubbleEndpoint(e: HubbleEndpoint | undefined, ip: string | undefined, names: string[] | undefined): ObservedWorkload {
  const labels: Record<string, string> = {};
  let serviceAccount: string | undefined;
  let reserved: string | undefined;
  for (const raw of e?.labels ?? []) {
    const colon = raw.indexOf(':');
    const source = colon < 0 ? '' : raw.slice(0, colon);
    const rest = colon < 0 ? raw : raw.slice(colon + 1);
    const eq = rest.indexOf('=');
    const key = eq < 0 ? rest : rest.slice(0, eq);
    const value = eq < 0 ? '' : rest.slice(eq + 1);
    if (source === 'reserved') reserved ??= key;
    else if (key === 'io.cilium.k8s.policy.serviceaccount') serviceAccount = value;
    else if (source === 'k8s' && !key.startsWith('io.cilium.k8s.') && key !== 'io.kubernetes.pod.namespace') labels[key] = value;
  }
  return {
    ...(e?.namespace ? { namespace: e.namespace } : {}),
    ...(e?.pod_name ? { pod: e.pod_name } : {}),
    ...(e?.workloads?.[0]?.name ? { workload: e.workloads[0].name } : {}),
    ...(e?.labels?.length ? { labels } : {}),
    ...(serviceAccount ? { serviceAccount } : {}),
    ...(reserved ? { reserved } : {}),
    ...(ip ? { ip } : {}),
    ...(names?.length ? { names } : {}),
  };
}

function pathOf(url: string): string {
  const noQuery = url.split('?')[0].split('#')[0];
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(noQuery);
  if (m) return m[1] ?? '/';
  return noQuery || '/';
}

function deniedBy(flow: HubbleFlow): string {
  const names = [...(flow.egress_denied_by ?? []), ...(flow.ingress_denied_by ?? [])]
    .map(p => (p.namespace ? `${p.namespace}/${p.name}` : p.name ?? ''))
    .filter(Boolean);
  return names.length ? ` by ${[...new Set(names)].join(', ')}` : '';
}

function verdictOf(flow: HubbleFlow): ObservedVerdict | undefined {
  const v = flow.verdict ?? 'VERDICT_UNKNOWN';
  if (v === 'DROPPED') {
    const l7 = flow.Type === 'L7';
    const code = flow.l7?.http?.code;
    return { allowed: false, ...(code ? { code } : {}), reason: `${l7 ? 'L7 policy (Cilium proxy)' : flow.drop_reason_desc ?? 'DROPPED'}${deniedBy(flow)}` };
  }
  if (v === 'AUDIT') return { allowed: true, reason: `AUDIT: a policy in audit mode would deny it${deniedBy(flow)}` };
  if (ALLOWED_VERDICTS.has(v)) return { allowed: true };
  return undefined;
}

interface OpenConnection {
  observation: Observation;
  started: number;
}

/**
 * Turns Hubble records into observations, one `push` at a time (a file of
 * millions of flows is never held whole). Connections are merged over a short
 * window, so observations come out through `emit` as their window closes and
 * at `finish`.
 */
export class HubbleNormalizer {
  readonly skipped: SkipCounts = {};
  private readonly open = new Map<string, OpenConnection>();

  constructor(private readonly index: AttributionIndex, private readonly emit: (o: Observation) => void) {}

  private skip(reason: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  push(record: HubbleRecord): void {
    const flow = record.flow;
    if (!flow) {
      this.skip(record.lost_events ? 'lost events (Hubble dropped flows)' : 'not a flow (node status)');
      return;
    }
    const time = Date.parse(flow.time ?? record.time ?? '');
    if (Number.isNaN(time)) {
      this.skip('no time');
      return;
    }
    this.expire(time);
    if (flow.Type === 'L7') {
      this.pushL7(flow, time);
      return;
    }
    if (flow.Type !== 'L3_L4') {
      this.skip(`flow type ${flow.Type ?? 'UNKNOWN_TYPE'}`);
      return;
    }
    const event = flow.event_type?.type;
    if (event !== EVENT_POLICY_VERDICT && event !== EVENT_TRACE && event !== EVENT_DROP) {
      this.skip(`event type ${event ?? 0}`);
      return;
    }
    if (flow.is_reply === true) {
      this.skip('reply');
      return;
    }
    const tcp = flow.l4?.TCP;
    if (tcp?.flags && !(tcp.flags.SYN && !tcp.flags.ACK)) {
      this.skip('not a connection start');
      return;
    }
    if (event === EVENT_TRACE) {
      const point = flow.trace_observation_point ?? 'UNKNOWN_POINT';
      const outward = !flow.destination?.pod_name && OUTWARD_POINTS.has(point);
      if (point !== 'TO_ENDPOINT' && !outward) {
        this.skip('trace point that is not a delivery');
        return;
      }
    }
    const ports = tcp ?? flow.l4?.UDP ?? flow.l4?.SCTP;
    if (!ports?.destination_port) {
      this.skip('no port (ICMP or other)');
      return;
    }
    let protocol: ObservedProtocol = 'SCTP';
    if (tcp) protocol = 'TCP';
    else if (flow.l4?.UDP) protocol = 'UDP';
    const verdict = verdictOf(flow);
    if (!verdict) {
      this.skip(`verdict ${flow.verdict ?? 'VERDICT_UNKNOWN'}`);
      return;
    }
    const key = `${flow.IP?.source}|${ports.source_port}|${flow.IP?.destination}|${ports.destination_port}|${protocol}`;
    const existing = this.open.get(key);
    if (existing) {
      const o = existing.observation;
      o.lastSeen = Math.max(o.lastSeen, time);
      // A drop anywhere on the way decides; AUDIT's caveat is kept on an allow.
      if (!verdict.allowed || (o.verdict.allowed && verdict.reason && !o.verdict.reason)) o.verdict = verdict;
      return;
    }
    const observation = this.observe(flow, time, ports.destination_port, protocol, verdict, 'cilium');
    if (observation) this.open.set(key, { observation, started: time });
  }

  private pushL7(flow: HubbleFlow, time: number): void {
    const http = flow.l7?.http;
    if (!http) {
      this.skip(flow.l7?.dns ? 'DNS record' : 'L7 record without HTTP');
      return;
    }
    if (flow.l7?.type !== 'REQUEST') {
      this.skip('L7 response');
      return;
    }
    const verdict = verdictOf(flow);
    if (!verdict) {
      this.skip(`verdict ${flow.verdict ?? 'VERDICT_UNKNOWN'}`);
      return;
    }
    const port = flow.l4?.TCP?.destination_port;
    if (!port) {
      this.skip('no port (ICMP or other)');
      return;
    }
    const observation = this.observe(flow, time, port, 'HTTP', verdict, 'cilium-l7', http.method?.toUpperCase(), http.url ? pathOf(http.url) : undefined);
    if (observation) this.emit(observation);
  }

  private observe(
    flow: HubbleFlow,
    time: number,
    port: number,
    protocol: ObservedProtocol,
    verdict: ObservedVerdict,
    seenBy: Observation['seenBy'],
    method?: string,
    path?: string,
  ): Observation | undefined {
    const src = attributeWorkload(this.index, readHubbleEndpoint(flow.source, flow.IP?.source, flow.source_names));
    const dst = attributeWorkload(this.index, readHubbleEndpoint(flow.destination, flow.IP?.destination, flow.destination_names));
    if (src.waypointOf) {
      // The waypoint-to-workload leg of an ambient call: the caller is on the other leg.
      this.skip('waypoint leg (the caller is on the other leg)');
      return undefined;
    }
    const environment = dst.environment ?? src.environment;
    if (!environment) {
      this.skip('outside every cell');
      return undefined;
    }
    // HBONE: ambient's tunnel. The app port and protocol travel inside it.
    const hbone = port === HBONE_PORT && protocol === 'TCP';
    return {
      environment,
      source: src.peer,
      destination: dst.peer,
      ...(hbone ? {} : { port }),
      protocol: hbone ? 'HBONE' : protocol,
      ...(method ? { method } : {}),
      ...(path ? { path } : {}),
      verdict,
      count: 1,
      firstSeen: time,
      lastSeen: time,
      seenBy,
    };
  }

  /** Emits the connections whose window closed before `now`. */
  private expire(now: number): void {
    for (const [key, c] of this.open) {
      if (now - c.started <= CONNECTION_WINDOW_MS) break;
      this.open.delete(key);
      this.emit(c.observation);
    }
  }

  /** Emits every connection still open. */
  finish(): void {
    for (const c of this.open.values()) this.emit(c.observation);
    this.open.clear();
  }
}
