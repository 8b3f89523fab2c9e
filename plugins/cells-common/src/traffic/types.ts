/**
 * Observed traffic, normalised: what a flow source (Hubble, Istio's metrics)
 * saw, in the catalog's terms. Pure data; docs/traffic.md describes the rules.
 */
import type { LayerName } from '../analyzer/model';

/**
 * One end of an observed call, as far as the observation tells.
 * - `component`: a catalog component, known by its identity or by its pod's label and service account.
 * - `gateway`: the shared external gateway.
 * - `platform`: a platform service outside every cell (DNS, the mesh control plane, the nodes, the API server).
 * - `cell`: the destination is a cell's waypoint (ambient HBONE on 15008): the component behind it is not visible.
 * - `external`: an address outside the cluster, by host name when the source knows one.
 * - `workload`: a pod that is none of the above (not in the catalog, or not wearing its own identity).
 */
export type TrafficPeer =
  | { kind: 'component'; ref: string; cell: string }
  | { kind: 'gateway' }
  | { kind: 'platform'; name: string }
  | { kind: 'cell'; ref: string }
  | { kind: 'external'; host?: string; ip?: string }
  | UnknownWorkload;

export interface UnknownWorkload {
  kind: 'workload';
  namespace: string;
  /** The pod, or the workload (Deployment) name when the source reports no pod. */
  pod?: string;
  /** SPIFFE identity without `spiffe://`, when the source reports one (or a service account implies one). */
  identity?: string;
  /** Its pod labels, when the source reports them (Hubble). */
  labels?: Record<string, string>;
  /** The cell whose namespace it runs in, if any. */
  cell?: string;
}

/** `HBONE`: the ambient tunnel on 15008; the application port and protocol are not visible. */
export type ObservedProtocol = 'TCP' | 'UDP' | 'SCTP' | 'HTTP' | 'GRPC' | 'HBONE';

/** Who saw it: a waypoint (Istio L7 metrics), ztunnel (Istio L4 metrics), Cilium's datapath or its L7 proxy (Hubble). */
export type Vantage = 'waypoint' | 'ztunnel' | 'cilium' | 'cilium-l7';

export interface ObservedVerdict {
  allowed: boolean;
  /** HTTP response code, when L7 is visible. */
  code?: number;
  /** Why it was denied (a drop reason, a response flag), or a caveat on an allow (Cilium's AUDIT verdict). */
  reason?: string;
}

/** One normalised observation: `count` calls with the same ends, port, operation and verdict. */
export interface Observation {
  environment: string;
  source: TrafficPeer;
  destination: TrafficPeer;
  /** The application port; absent when the source does not show it (Istio's metrics, HBONE). */
  port?: number;
  protocol: ObservedProtocol;
  /** Where L7 is visible. */
  method?: string;
  /** Without the query string. */
  path?: string;
  verdict: ObservedVerdict;
  count: number;
  /** Epoch milliseconds. */
  firstSeen: number;
  lastSeen: number;
  seenBy: Vantage;
}

/** Why a source record became no observation, counted per reason (a source says so instead of dropping it silently). */
export type SkipCounts = Record<string, number>;

/** The observed calls between two nodes with one port, operation and verdict, over a window. */
export interface TrafficEdge {
  environment: string;
  /** Node ids as in the topology: entity refs, `gateway`, `platform:<name>`, `external:<host or ip>`, `workload:<namespace>/<pod>`. */
  from: string;
  to: string;
  source: TrafficPeer;
  destination: TrafficPeer;
  port?: number;
  protocol: ObservedProtocol;
  method?: string;
  path?: string;
  allowed: boolean;
  count: number;
  firstSeen: number;
  lastSeen: number;
  /** Distinct response codes and reasons seen, sorted. */
  codes: number[];
  reasons: string[];
  seenBy: Vantage[];
}

export const TRAFFIC_CLASSES = ['declared-seen', 'declared-unused', 'undeclared-allowed', 'denied'] as const;
export type TrafficClass = (typeof TRAFFIC_CLASSES)[number];

/** A grant as a classified edge cites it. */
export interface GrantRef {
  endpoint: string;
  methods?: string[];
  paths?: string[];
  /** `entity ref: field` of each declaration (a connection and an allowFrom may declare the same call). */
  declaredBy: string[];
}

/** One edge of the classification. Times are epoch milliseconds. */
export interface ClassifiedEdge {
  environment: string;
  from: string;
  to: string;
  port?: number;
  protocol: ObservedProtocol | 'HTTP' | 'GRPC' | 'TCP' | 'UDP';
  method?: string;
  path?: string;
  class: TrafficClass;
  /** Calls in the window (0 for declared-unused). */
  count: number;
  /** In the window; for declared-unused, the last time before it, if ever. */
  firstSeen?: number;
  lastSeen?: number;
  /** A grant covers the call (true for declared-*, and for a denied call the catalog declares). */
  declared: boolean;
  /** A denied call from an identity the catalog does not know: an attack, or a workload nobody declared. */
  suspicious: boolean;
  /** The callee endpoint, when the port (or the only candidate) tells it. */
  endpoint?: string;
  /** The grants that cover the call (declared-*). */
  grants: GrantRef[];
  codes: number[];
  reasons: string[];
  /**
   * The destination is a cell seen through its waypoint (HBONE): the
   * call is the caller's to some component of that cell.
   */
  cellLevel?: boolean;
}

export interface TrafficWindow {
  /** Epoch milliseconds, inclusive. */
  from: number;
  to: number;
}

export interface TrafficClassification {
  environment: string;
  window: TrafficWindow;
  edges: ClassifiedEdge[];
  /** Edges per class. */
  counts: Record<TrafficClass, number>;
}

/** An observed call the judged manifests would deny: where, by which policy, why. */
export interface WouldBreak {
  edge: TrafficEdge;
  /** The callee endpoint the request was judged on. */
  endpoint: string;
  layer: LayerName;
  policies: string[];
  reason: string;
}

/** An observed call that could not be judged request by request, and why. */
export interface Unjudged {
  edge: TrafficEdge;
  reason: string;
}

export interface WouldBreakReport {
  environment: string;
  /** Allowed edges judged. */
  checked: number;
  wouldBreak: WouldBreak[];
  unjudged: Unjudged[];
}
