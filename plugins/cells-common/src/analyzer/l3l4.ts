/**
 * The L3/L4 layer: Kubernetes NetworkPolicy and Cilium policies together, as
 * Cilium enforces them (one additive allow set per direction; Cilium deny
 * rules win over every allow, Cilium rule 5), egress at the source AND
 * ingress at the destination (K8s rule 6).
 */
import { ciliumRuleSelects, evaluateCiliumRules, HttpAttributes, SelectingCiliumRule } from './cilium';
import { ClusterModel, Endpoint, endpointName, LayerResult, NamespaceModel, WorkloadModel } from './model';
import { Direction, evaluateNetworkPolicies, Flow, networkPolicySelects, NetworkPolicyModel } from './networkPolicy';

/** Per-workload lists of the L3/L4 policies selecting it, computed once per model. */
export class L3L4Index {
  private readonly k8s: (NetworkPolicyModel[] | undefined)[] = [];
  private readonly cilium: (SelectingCiliumRule[] | undefined)[] = [];

  constructor(private readonly model: ClusterModel) {}

  networkPolicies(workload: WorkloadModel): NetworkPolicyModel[] {
    let list = this.k8s[workload.index];
    if (!list) {
      list = this.model.networkPolicies.filter(p => networkPolicySelects(p, workload));
      this.k8s[workload.index] = list;
    }
    return list;
  }

  ciliumRules(workload: WorkloadModel, namespace: NamespaceModel): SelectingCiliumRule[] {
    let list = this.cilium[workload.index];
    if (!list) {
      list = [];
      for (const policy of this.model.ciliumPolicies) {
        for (const rule of policy.rules) {
          if (ciliumRuleSelects(rule, workload, namespace)) list.push({ policy, rule });
        }
      }
      this.cilium[workload.index] = list;
    }
    return list;
  }
}

interface DirectionOutcome {
  allowed: boolean;
  policies: string[];
  reason: string;
}

const union = (a: string[], b: string[]) => [...a, ...b.filter(x => !a.includes(x))];

function flowText(flow: Flow): string {
  return `port ${flow.port}/${flow.protocol}`;
}

function evaluateDirection(
  index: L3L4Index,
  endpoint: Endpoint,
  direction: Direction,
  flow: Flow,
  http: HttpAttributes,
  quiet: boolean,
): DirectionOutcome {
  if (endpoint.type !== 'workload') {
    return { allowed: true, policies: [], reason: quiet ? '' : `${endpoint.ip} is outside the cluster (no ${direction} policy)` };
  }
  const { workload, namespace } = endpoint;
  const k8s = evaluateNetworkPolicies(index.networkPolicies(workload), direction, flow);
  const cilium = evaluateCiliumRules(index.ciliumRules(workload, namespace), direction, flow, http);
  const peer = quiet ? '' : endpointName(direction === 'ingress' ? flow.source : flow.destination);
  const what = quiet ? '' : `${direction === 'ingress' ? 'from' : 'to'} ${peer}`;
  if (cilium.deniedBy.length > 0) {
    return {
      allowed: false,
      policies: cilium.deniedBy,
      reason: quiet ? '' : `Cilium policy ${cilium.deniedBy.join(', ')} denies ${direction} at ${workload.key} ${what} on ${flowText(flow)} (deny rules win over every allow)`,
    };
  }
  const isolatedBy = union(k8s.isolatedBy, cilium.enforcedBy);
  if (isolatedBy.length === 0) {
    return { allowed: true, policies: [], reason: quiet ? '' : `no policy isolates ${workload.key} for ${direction}` };
  }
  const allowedBy = union(k8s.allowedBy, cilium.allowedBy);
  if (allowedBy.length > 0) {
    return { allowed: true, policies: allowedBy, reason: quiet ? '' : `${allowedBy.join(', ')} allow ${direction} at ${workload.key} ${what} on ${flowText(flow)}` };
  }
  if (cilium.httpRejectedBy.length > 0) {
    const refs = [...new Set(cilium.httpRejectedBy.map(h => h.ref))];
    const admitted = [...new Set(cilium.httpRejectedBy.flatMap(h => h.allowed))].join(', ');
    const req = http.method || http.path ? `${http.method ?? 'any method'} ${http.path ?? 'any path'}` : 'a request that names no method or path';
    return {
      allowed: false,
      policies: refs,
      reason: quiet ? '' : `Cilium's proxy answers HTTP 403: ${refs.join(', ')} admit ${what} on ${flowText(flow)} only ${admitted}, and this is ${req}`,
    };
  }
  return {
    allowed: false,
    policies: isolatedBy,
    reason: quiet ? '' : `${workload.key} is isolated for ${direction} by ${isolatedBy.join(', ')} and no rule admits traffic ${what} on ${flowText(flow)}`,
  };
}

/** Both ends must allow: egress at the source, ingress at the destination. */
export function evaluateL3L4(index: L3L4Index, flow: Flow, http: HttpAttributes = {}, quiet = false): LayerResult {
  const egress = evaluateDirection(index, flow.source, 'egress', flow, http, quiet);
  if (!egress.allowed) {
    return { layer: 'L3/L4', verdict: 'deny', policies: egress.policies, reason: quiet ? '' : `egress: ${egress.reason}` };
  }
  const ingress = evaluateDirection(index, flow.destination, 'ingress', flow, http, quiet);
  if (!ingress.allowed) {
    return { layer: 'L3/L4', verdict: 'deny', policies: ingress.policies, reason: quiet ? '' : `ingress: ${ingress.reason}` };
  }
  return {
    layer: 'L3/L4',
    verdict: 'allow',
    policies: union(egress.policies, ingress.policies),
    reason: quiet ? '' : `egress: ${egress.reason}; ingress: ${ingress.reason}`,
  };
}
