/**
 * The L3/L4 layer: Kubernetes NetworkPolicy and Cilium policies together, as
 * Cilium enforces them (one additive allow set per direction; Cilium deny
 * rules win over every allow, docs/policy-semantics.md#cilium-5), egress at the source AND
 * ingress at the destination (docs/policy-semantics.md#netpol-6).
 */
import { ciliumRuleSelects, evaluateCiliumRules, HttpAttributes, SelectingCiliumRule } from './cilium';
import { ClusterModel, Endpoint, endpointName, LayerResult, NamespaceModel, Protocol, WorkloadModel } from './model';
import {
  cniCaveat,
  Direction,
  evaluateNetworkPolicies,
  Flow,
  networkPolicySelects,
  NetworkPolicyModel,
  NetworkPolicyRule,
  peerMatches,
  portEntryMatches,
} from './networkPolicy';

/** A set of workloads by `WorkloadModel.index`, one bit each. */
type Bits = Uint32Array;
const hasBit = (bits: Bits, i: number) => (bits[i >>> 5] & (1 << (i & 31))) !== 0;

/**
 * What a NetworkPolicy direction admits at one workload for one port and
 * protocol: the peers (as a bitset) of every rule whose ports match.
 */
interface AdmitSet {
  /** Some policy isolates the workload for this direction. */
  isolated: boolean;
  /** A matching rule admits every peer. */
  everyone: boolean;
  /** Peers admitted by rules whose ports matched without knowing the peer. */
  peers: Bits;
  /** Egress rules with named ports: they resolve on each destination (docs/policy-semantics.md#netpol-7), so per pair. */
  perPeer: { rule: NetworkPolicyRule; policy: NetworkPolicyModel }[];
}

const PROTOCOL_INDEX: Record<Protocol, number> = { TCP: 0, UDP: 1, SCTP: 2 };

/** Per-workload lists of the L3/L4 policies selecting it, computed once per model. */
export class L3L4Index {
  private readonly k8s: (NetworkPolicyModel[] | undefined)[] = [];
  private readonly cilium: (SelectingCiliumRule[] | undefined)[] = [];
  private policiesByNamespace?: Map<string, NetworkPolicyModel[]>;
  private workloadsByNamespace?: Map<string, WorkloadModel[]>;
  private readonly ruleBits = new Map<NetworkPolicyRule, Bits | 'everyone'>();
  /** `(port, protocol)` -> per `2 * workload index + (ingress ? 1 : 0)`, its admit set. */
  private readonly admitByFlow = new Map<number, (AdmitSet | undefined)[]>();
  private lastFlowKey = -1;
  private lastAdmits: (AdmitSet | undefined)[] = [];
  private previousFlowKey = -1;
  private previousAdmits: (AdmitSet | undefined)[] = [];
  /** Admit sets are shared between workloads with the same policies. */
  private readonly admitByPolicies = new Map<string, AdmitSet>();
  private readonly policyKeys: (string | undefined)[] = [];
  private policyIds?: Map<NetworkPolicyModel, number>;

  constructor(private readonly model: ClusterModel) {}

  networkPolicies(workload: WorkloadModel): NetworkPolicyModel[] {
    let list = this.k8s[workload.index];
    if (!list) {
      if (!this.policiesByNamespace) {
        // A policy only ever selects pods of its own namespace (docs/policy-semantics.md#netpol-2).
        this.policiesByNamespace = new Map();
        for (const p of this.model.networkPolicies) push(this.policiesByNamespace, p.namespace, p);
      }
      list = (this.policiesByNamespace.get(workload.namespace) ?? []).filter(p => networkPolicySelects(p, workload));
      this.k8s[workload.index] = list;
    }
    return list;
  }

  /**
   * The verdict of `evaluateL3L4` without reasons, for the matrix and other
   * bulk questions: each rule's peers are matched once into a bitset, and a
   * workload's admit set per port is their union, so a pair costs a few bit
   * tests. Cilium policies and addresses outside the cluster take the full path.
   */
  allows(flow: Flow, http: HttpAttributes): boolean {
    return this.directionAllows(flow.source, 'egress', flow, http) && this.directionAllows(flow.destination, 'ingress', flow, http);
  }

  private directionAllows(endpoint: Endpoint, direction: Direction, flow: Flow, http: HttpAttributes): boolean {
    if (endpoint.type !== 'workload') return true; // outside the cluster: no policy there
    const peer = direction === 'ingress' ? flow.source : flow.destination;
    if (peer.type !== 'workload' || (this.model.ciliumPolicies.length > 0 && this.ciliumRules(endpoint.workload, endpoint.namespace).length > 0)) {
      return evaluateDirection(this, endpoint, direction, flow, http, true).allowed;
    }
    const admit = this.admitSet(endpoint.workload, direction, flow);
    if (!admit.isolated || admit.everyone) return true;
    const i = peer.workload.index;
    if (hasBit(admit.peers, i)) return true;
    for (const { rule, policy } of admit.perPeer) {
      if (!rule.ports!.some(p => portEntryMatches(p, flow))) continue;
      const bits = this.peersOf(rule, policy);
      if (bits === 'everyone' || hasBit(bits, i)) return true;
    }
    return false;
  }

  private admitSet(workload: WorkloadModel, direction: Direction, flow: Flow): AdmitSet {
    // Bulk questions ask many pairs on one or two ports (the app's, HBONE's) in turn: keep those at hand.
    const flowKey = flow.port * 3 + PROTOCOL_INDEX[flow.protocol];
    if (flowKey !== this.lastFlowKey) {
      let admits: (AdmitSet | undefined)[] | undefined;
      if (flowKey === this.previousFlowKey) admits = this.previousAdmits;
      else {
        admits = this.admitByFlow.get(flowKey);
        if (!admits) this.admitByFlow.set(flowKey, (admits = []));
      }
      this.previousFlowKey = this.lastFlowKey;
      this.previousAdmits = this.lastAdmits;
      this.lastFlowKey = flowKey;
      this.lastAdmits = admits;
    }
    const slot = 2 * workload.index + (direction === 'ingress' ? 1 : 0);
    let admit = this.lastAdmits[slot];
    if (admit) return admit;
    const policies = this.networkPolicies(workload).filter(p => p.isolates[direction]);
    let policyKey = this.policyKeys[workload.index];
    if (policyKey === undefined) {
      if (!this.policyIds) this.policyIds = new Map(this.model.networkPolicies.map((p, i) => [p, i]));
      policyKey = this.networkPolicies(workload)
        .map(p => this.policyIds!.get(p))
        .join(',');
      this.policyKeys[workload.index] = policyKey;
    }
    // Ingress named ports resolve on this workload's own container ports.
    const named = direction === 'ingress' && policies.some(p => p.ingress.some(r => r.ports?.some(e => typeof e.port === 'string')));
    const sharedKey = `${policyKey}|${direction}|${flow.port}|${flow.protocol}${named ? `|${workload.index}` : ''}`;
    admit = this.admitByPolicies.get(sharedKey);
    if (!admit) {
      admit = { isolated: policies.length > 0, everyone: false, peers: new Uint32Array((this.model.workloads.length + 31) >>> 5), perPeer: [] };
      for (const policy of policies) {
        for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
          if (rule.ports) {
            // At egress a named port resolves on the peer (docs/policy-semantics.md#netpol-7): only the other entries are known here.
            const known = direction === 'ingress' ? rule.ports : rule.ports.filter(p => typeof p.port !== 'string');
            if (!known.some(p => portEntryMatches(p, flow))) {
              if (known.length < rule.ports.length) admit.perPeer.push({ rule, policy });
              continue;
            }
          }
          const bits = this.peersOf(rule, policy);
          if (bits === 'everyone') admit.everyone = true;
          else for (let w = 0; w < bits.length; w++) admit.peers[w] |= bits[w];
        }
      }
      this.admitByPolicies.set(sharedKey, admit);
    }
    this.lastAdmits[slot] = admit;
    return admit;
  }

  /** The workloads a rule's peers match, as `peerMatches` decides (a CNI-dependent ipBlock match counts). */
  private peersOf(rule: NetworkPolicyRule, policy: NetworkPolicyModel): Bits | 'everyone' {
    let bits = this.ruleBits.get(rule);
    if (bits) return bits;
    if (!rule.peers) bits = 'everyone';
    else {
      const set = new Uint32Array((this.model.workloads.length + 31) >>> 5);
      if (!this.workloadsByNamespace) {
        this.workloadsByNamespace = new Map();
        for (const w of this.model.workloads) push(this.workloadsByNamespace, w.namespace, w);
      }
      for (const peer of rule.peers) {
        // Only pods of the namespaces a pod peer names can match it (docs/policy-semantics.md#netpol-4, #netpol-5); an ipBlock may match any pod (by its address).
        let candidates: readonly WorkloadModel[];
        if (peer.kind === 'ipBlock') candidates = this.model.workloads;
        else if (!peer.namespaceSelector) candidates = this.workloadsByNamespace.get(policy.namespace) ?? [];
        else {
          candidates = [];
          for (const ns of this.model.namespaces.values()) {
            if (peer.namespaceSelector.matches(ns.labels)) candidates = candidates.concat(this.workloadsByNamespace.get(ns.name) ?? []);
          }
        }
        for (const w of candidates) {
          const endpoint: Endpoint = { type: 'workload', workload: w, namespace: this.model.namespaces.get(w.namespace)! };
          if (peerMatches(peer, policy.namespace, endpoint) !== 'no') set[w.index >>> 5] |= 1 << (w.index & 31);
        }
      }
      bits = set;
    }
    this.ruleBits.set(rule, bits);
    return bits;
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
  /** Set when only an ipBlock covering a pod IP admits the flow (docs/policy-semantics.md#netpol-9). */
  caveat?: string;
}

const union = (a: string[], b: string[]) => [...a, ...b.filter(x => !a.includes(x))];

function flowText(flow: Flow): string {
  return `port ${flow.port}/${flow.protocol}`;
}

function evaluateDirection(index: L3L4Index, endpoint: Endpoint, direction: Direction, flow: Flow, http: HttpAttributes, quiet: boolean): DirectionOutcome {
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
      reason: quiet
        ? ''
        : `Cilium policy ${cilium.deniedBy.join(', ')} denies ${direction} at ${workload.key} ${what} on ${flowText(flow)} (deny rules win over every allow)`,
    };
  }
  const isolatedBy = union(k8s.isolatedBy, cilium.enforcedBy);
  if (isolatedBy.length === 0) {
    return { allowed: true, policies: [], reason: quiet ? '' : `no policy isolates ${workload.key} for ${direction}` };
  }
  const allowedBy = union(k8s.allowedBy, cilium.allowedBy);
  if (allowedBy.length > 0) {
    const caveat = quiet || allowedBy.length > k8s.cniDependent.length ? undefined : cniCaveat(k8s.cniDependent, direction, flow);
    return {
      allowed: true,
      policies: allowedBy,
      reason: quiet ? '' : `${allowedBy.join(', ')} allow ${direction} at ${workload.key} ${what} on ${flowText(flow)}${caveat ? ` (${caveat})` : ''}`,
      caveat,
    };
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
  const caveats = [egress.caveat, ingress.caveat].filter(c => c !== undefined);
  return {
    layer: 'L3/L4',
    verdict: 'allow',
    policies: union(egress.policies, ingress.policies),
    reason: quiet ? '' : `egress: ${egress.reason}; ingress: ${ingress.reason}`,
    ...(caveats.length > 0 ? { caveat: caveats.join('; ') } : {}),
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
