/**
 * The model of a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy
 * (cilium.io/v2) as the analyzer reads it, and the labels Cilium gives a pod's
 * endpoint, which its selectors match.
 */
import { CILIUM_SERVICE_ACCOUNT_LABEL, CompiledSelector, Labels } from '../labels';
import type { Cidr } from './ip';
import type { NamespaceModel, WorkloadModel } from './model';
import type { Direction } from './networkPolicy';

export const CILIUM_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export { CILIUM_SERVICE_ACCOUNT_LABEL };
export const CILIUM_NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
const CILIUM_CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';

/**
 * Cilium label keys carry a source prefix (`k8s:app`, `any:app`); pod labels are
 * `k8s:` labels, so both prefixes select them. Other sources (`reserved:`,
 * `cidr:`) stay as written and never match a pod label.
 */
export function stripCiliumSource(key: string): string {
  if (key.startsWith('k8s:')) return key.slice(4);
  if (key.startsWith('any:')) return key.slice(4);
  return key;
}

const endpointLabelCache = new WeakMap<WorkloadModel, Labels>();

/** The labels Cilium gives a pod's endpoint: its own, its namespace's, its service account (docs/policy-semantics.md#cilium-8). */
export function ciliumEndpointLabels(workload: WorkloadModel, namespace: NamespaceModel): Labels {
  const cached = endpointLabelCache.get(workload);
  if (cached) return cached;
  const labels: Record<string, string> = { ...workload.labels };
  for (const [k, v] of Object.entries(namespace.labels)) labels[CILIUM_NAMESPACE_LABELS_PREFIX + k] = v;
  labels[CILIUM_NAMESPACE_LABEL] = workload.namespace;
  labels[CILIUM_SERVICE_ACCOUNT_LABEL] = workload.serviceAccount;
  labels[CILIUM_CLUSTER_LABEL] = 'default';
  endpointLabelCache.set(workload, labels);
  return labels;
}

export type CiliumProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY';

export interface CiliumPort {
  /** Undefined (or "0" in the manifest): every port. */
  port?: number | string;
  endPort?: number;
  protocol: CiliumProtocol;
}

export interface CiliumHttpRule {
  method?: RegExp;
  path?: RegExp;
  host?: RegExp;
  /** Header constraints: the analyzer does not know request headers, so a rule with them never matches. */
  headers: number;
  text: string;
}

export interface CiliumPortRule {
  /** Undefined: every port. */
  ports?: CiliumPort[];
  /** Undefined: no L7 filtering on these ports. */
  http?: CiliumHttpRule[];
}

export interface CiliumPeers {
  /** No L3 field at all but a `toPorts`: every peer on those ports. */
  wildcard: boolean;
  endpoints: CompiledSelector[];
  entities: string[];
  cidrs: { cidr: Cidr; except: Cidr[] }[];
  /** `toFQDNs`, each as a matcher of the host name a connection was opened for. */
  fqdns?: { text: string; matches: (host: string) => boolean }[];
}

export interface CiliumRuleEntry {
  peers: CiliumPeers;
  /** Undefined: every port. */
  toPorts?: CiliumPortRule[];
  /** Only `icmps`: admits no TCP/UDP/SCTP. */
  icmpOnly: boolean;
}

export interface CiliumRule {
  endpointSelector: CompiledSelector;
  ingress: CiliumRuleEntry[];
  ingressDeny: CiliumRuleEntry[];
  egress: CiliumRuleEntry[];
  egressDeny: CiliumRuleEntry[];
  /** docs/policy-semantics.md#cilium-4: `enableDefaultDeny`, true by default for a direction that has rules. */
  defaultDeny: Record<Direction, boolean>;
}

export interface CiliumPolicyModel {
  kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  /** `namespace/name`, or `name` for a clusterwide policy. */
  ref: string;
  /** Undefined for a clusterwide policy. */
  namespace?: string;
  name: string;
  rules: CiliumRule[];
}
