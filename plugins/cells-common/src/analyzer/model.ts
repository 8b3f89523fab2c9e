/** The cluster model every layer reads: what `load.ts` builds from manifests. */
import type { Labels } from '../labels';
import type { Cidr } from '../net/ip';
import { AMBIENT_LABEL } from '../labels/keys';
import type { NetworkPolicyModel } from './networkPolicy';
import type { CiliumPolicyModel } from './cilium';
import type { PeerAuthenticationModel } from './mtls';
import type { AuthorizationPolicyModel } from './authorization';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** ztunnel's HBONE port: pod-to-pod traffic between ambient pods arrives here. */
export const HBONE_PORT = 15008;

/** Where istio-cni SNATs kubelet health probes to ambient pods (IPv4, IPv6). */
export const KUBELET_PROBE_ADDRESSES = ['169.254.7.127', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff'];
export {
  AMBIENT_LABEL,
  USE_WAYPOINT_LABEL,
  USE_WAYPOINT_NAMESPACE_LABEL,
  INGRESS_USE_WAYPOINT_LABEL,
  WAYPOINT_FOR_LABEL,
  GATEWAY_NAME_LABEL,
  NAMESPACE_NAME_LABEL,
} from '../labels/keys';
export const WAYPOINT_CLASS = 'istio-waypoint';

/** Something wrong with one input object: which object, which field, what. */
export interface Problem {
  /** e.g. `NetworkPolicy orion/default-deny` or `document 3` when there is no name. */
  object: string;
  /** e.g. `spec.ingress[0].ports[1].port`. */
  field: string;
  message: string;
  /** Where the object came from (file and document), when the caller told us. */
  source?: string;
}

export interface ContainerPort {
  name?: string;
  port: number;
  protocol: Protocol;
}

export interface NamespaceModel {
  name: string;
  labels: Labels;
  /** True when no Namespace object was in the input and we implied it. */
  implied: boolean;
}

export interface WorkloadModel {
  /** `namespace/name`. */
  key: string;
  /** Pod, Deployment, StatefulSet, ... or `Waypoint` when synthesized. */
  kind: string;
  namespace: string;
  name: string;
  labels: Labels;
  serviceAccount: string;
  ports: ContainerPort[];
  /** `status.podIP` when the input carries it. */
  ip?: string;
  /**
   * No `ip`, and it may be any pod address (the simulation's pods, which have
   * none yet): an ipBlock that can hold pod addresses may cover it (docs/policy-semantics.md#netpol-9).
   */
  anyAddress?: boolean;
  /** With `anyAddress`: the ranges its address lies in, when known (the cluster's pod CIDRs); undefined: anywhere. */
  addressRanges?: Cidr[];
  /** True for waypoint workloads we added because the input had none. */
  synthesized: boolean;
  /** Position in `ClusterModel.workloads`, for array-backed caches. */
  index: number;
}

export interface ServicePortModel {
  name?: string;
  port: number;
  targetPort: number | string;
  protocol: Protocol;
}

export interface ServiceModel {
  key: string;
  namespace: string;
  name: string;
  labels: Labels;
  /** Undefined for selector-less Services (no backends we can know). */
  selector?: Record<string, string>;
  ports: ServicePortModel[];
}

export interface GatewayModel {
  key: string;
  namespace: string;
  name: string;
  className: string;
  labels: Labels;
  isWaypoint: boolean;
}

export interface HttpRouteModel {
  key: string;
  namespace: string;
  name: string;
  parentRefs: { kind: string; namespace: string; name: string }[];
  backendRefs: { kind: string; namespace: string; name: string; port?: number }[];
}

export interface ServiceEntryModel {
  key: string;
  namespace: string;
  name: string;
  labels: Labels;
  /** Exact names or `*.suffix`. */
  hosts: string[];
  ports: { number: number; protocol: string; name: string }[];
  location: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
}

export interface AnalyzerOptions {
  /** SPIFFE trust domain of identities; default `cluster.local`. */
  trustDomain?: string;
  /** Istio's root namespace (mesh-wide policies); default `istio-system`. */
  rootNamespace?: string;
}

export interface ClusterModel {
  namespaces: Map<string, NamespaceModel>;
  workloads: WorkloadModel[];
  workloadsByKey: Map<string, WorkloadModel>;
  services: ServiceModel[];
  servicesByKey: Map<string, ServiceModel>;
  serviceAccounts: Set<string>;
  gateways: Map<string, GatewayModel>;
  httpRoutes: HttpRouteModel[];
  networkPolicies: NetworkPolicyModel[];
  ciliumPolicies: CiliumPolicyModel[];
  peerAuthentications: PeerAuthenticationModel[];
  authorizationPolicies: AuthorizationPolicyModel[];
  /** Istio ServiceEntries: hosts outside the mesh it routes (through a waypoint, when one is bound). */
  serviceEntries: ServiceEntryModel[];
  /** Malformed input; an analysis refuses to run while there is any. */
  problems: Problem[];
  /** Things skipped on purpose (unknown kinds, unsupported fields), for the reader. */
  notes: string[];
  trustDomain: string;
  rootNamespace: string;
}

/** A place traffic comes from or goes to: a workload of the model, or an address outside it. */
export type Endpoint =
  | { type: 'workload'; workload: WorkloadModel; namespace: NamespaceModel }
  /** `host`: the name the connection was opened for (what Cilium's DNS proxy saw resolve to `ip`). */
  | { type: 'external'; ip: string; host?: string };

export function endpointName(endpoint: Endpoint): string {
  return endpoint.type === 'workload' ? endpoint.workload.key : endpoint.ip;
}

/** Collects problems for one object; every layer's parser reports through it. */
export class ProblemSink {
  readonly problems: Problem[] = [];
  constructor(readonly object: string, readonly source?: string) {}
  add(field: string, message: string): void {
    this.problems.push({ object: this.object, field, message, ...(this.source ? { source: this.source } : {}) });
  }
  get ok(): boolean {
    return this.problems.length === 0;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an optional list; reports a non-list. Returns undefined for absent/null. */
export function readList(value: unknown, field: string, sink: ProblemSink): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    sink.add(field, 'must be a list');
    return undefined;
  }
  return value;
}

/** Reads an optional list of strings. */
export function readStrings(value: unknown, field: string, sink: ProblemSink): string[] | undefined {
  const list = readList(value, field, sink);
  if (!list) return undefined;
  const out: string[] = [];
  list.forEach((v, i) => {
    if (typeof v === 'string') out.push(v);
    else sink.add(`${field}[${i}]`, 'must be a string');
  });
  return out;
}

export function readProtocol(value: unknown, field: string, sink: ProblemSink): Protocol | undefined {
  if (value === undefined || value === null) return 'TCP';
  if (typeof value === 'string' && (PROTOCOLS as readonly string[]).includes(value)) {
    return value as Protocol;
  }
  sink.add(field, `unknown protocol ${JSON.stringify(value)} (TCP, UDP or SCTP)`);
  return undefined;
}

export function isValidPortNumber(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** An IANA_SVC_NAME as Kubernetes validates it (named ports). */
export function isValidPortName(s: string): boolean {
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s) && s.length <= 15 && /[a-z]/.test(s) && !s.includes('--');
}

export function identityOf(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Is the workload enrolled in ambient (namespace label, overridable per pod)? */
export function isAmbient(workload: WorkloadModel, namespace: NamespaceModel | undefined): boolean {
  const podMode = workload.labels[AMBIENT_LABEL];
  if (podMode === 'none') return false;
  if (podMode === 'ambient') return true;
  return namespace?.labels[AMBIENT_LABEL] === 'ambient';
}

/** The endpoint's view as a string for messages. */
export function describeIdentity(identity: string | undefined): string {
  return identity ?? 'a plaintext caller without identity';
}

export type LayerName = 'L3/L4' | 'mTLS' | 'L7';
export type LayerVerdict = 'allow' | 'deny' | 'not-applicable';

/** One layer's answer for one hop (or, aggregated, for the whole request). */
export interface LayerResult {
  layer: LayerName;
  verdict: LayerVerdict;
  /** The policies that decided, as `<namespace>/<name>` (clusterwide Cilium policies by name). */
  policies: string[];
  /** Why, in words a person understands. */
  reason: string;
  /**
   * Set on an allow that holds only on some data planes (an ipBlock covering a
   * pod IP, docs/policy-semantics.md#netpol-9): which allow it, which deny it. Counted as allowed.
   */
  caveat?: string;
}

/** Oldest first, as Istio picks among conflicting policies; input order breaks ties. */
export function byAge<T extends { createdAt?: string; order: number }>(a: T, b: T): number {
  if (a.createdAt && b.createdAt && a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.order - b.order;
}
