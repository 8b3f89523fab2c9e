/** Kubernetes NetworkPolicy (networking.k8s.io/v1): parsing and L3/L4 evaluation. */
import { compileSelector, CompiledSelector } from '../labels';
import { Cidr, cidrContains, cidrWithin, parseCidr } from './ip';
import {
  ContainerPort,
  Endpoint,
  endpointName,
  isPlainObject,
  isValidPortName,
  isValidPortNumber,
  ProblemSink,
  Protocol,
  readList,
  readProtocol,
  WorkloadModel,
} from './model';

export type Direction = 'ingress' | 'egress';

/** One `ports[]` entry; `port` undefined = every port of the protocol (docs/policy-semantics.md#netpol-8). */
export interface PortEntry {
  protocol: Protocol;
  port?: number | string;
  endPort?: number;
}

export type NetworkPolicyPeer =
  | {
      kind: 'pods';
      /** Undefined: the policy's own namespace (docs/policy-semantics.md#netpol-5). */
      namespaceSelector?: CompiledSelector;
      /** Undefined: every pod of the selected namespaces. */
      podSelector?: CompiledSelector;
    }
  | { kind: 'ipBlock'; cidr: Cidr; except: Cidr[] };

export interface NetworkPolicyRule {
  /** Undefined: every peer (the list was absent or empty). */
  peers?: NetworkPolicyPeer[];
  /** Undefined: every port (the list was absent or empty). */
  ports?: PortEntry[];
}

export interface NetworkPolicyModel {
  kind: 'NetworkPolicy';
  /** `namespace/name`. */
  ref: string;
  namespace: string;
  name: string;
  podSelector: CompiledSelector;
  /** Directions the policy isolates (from `policyTypes`, docs/policy-semantics.md#netpol-1). */
  isolates: Record<Direction, boolean>;
  ingress: NetworkPolicyRule[];
  egress: NetworkPolicyRule[];
}

/** The packet as one side's policy sees it. */
export interface Flow {
  source: Endpoint;
  destination: Endpoint;
  /** Port number on the destination pod as the network sees it (15008 for HBONE). */
  port: number;
  protocol: Protocol;
  /** The destination pod's container ports, to resolve named ports (docs/policy-semantics.md#netpol-7). */
  destinationPorts: readonly ContainerPort[];
}

function parsePortEntry(value: unknown, field: string, sink: ProblemSink): PortEntry | undefined {
  if (!isPlainObject(value)) {
    sink.add(field, 'must be an object');
    return undefined;
  }
  const protocol = readProtocol(value.protocol, `${field}.protocol`, sink);
  if (!protocol) return undefined;
  const entry: PortEntry = { protocol };
  const { port, endPort } = value;
  if (port !== undefined && port !== null) {
    if (typeof port === 'number') {
      if (!isValidPortNumber(port)) {
        sink.add(`${field}.port`, `port must be 1-65535 (got ${port})`);
        return undefined;
      }
      entry.port = port;
    } else if (typeof port === 'string') {
      if (/^\d+$/.test(port)) {
        // intstr: Kubernetes would treat "80" as a name, which never matches. Do not widen it into 80.
        sink.add(`${field}.port`, `a number written as a string ("${port}"); write it without quotes`);
        return undefined;
      }
      if (!isValidPortName(port)) {
        sink.add(`${field}.port`, `invalid port name ${JSON.stringify(port)}`);
        return undefined;
      }
      entry.port = port;
    } else {
      sink.add(`${field}.port`, 'must be a number or a port name');
      return undefined;
    }
  }
  if (endPort !== undefined && endPort !== null) {
    if (typeof entry.port !== 'number') {
      sink.add(`${field}.endPort`, 'endPort needs a numeric port');
      return undefined;
    }
    if (!isValidPortNumber(endPort) || endPort < entry.port) {
      sink.add(`${field}.endPort`, `endPort must be a port number >= port (got ${JSON.stringify(endPort)})`);
      return undefined;
    }
    entry.endPort = endPort;
  }
  return entry;
}

function parsePeer(value: unknown, field: string, sink: ProblemSink): NetworkPolicyPeer | undefined {
  if (!isPlainObject(value)) {
    sink.add(field, 'must be an object');
    return undefined;
  }
  const { podSelector, namespaceSelector, ipBlock } = value;
  const hasPod = podSelector !== undefined && podSelector !== null;
  const hasNs = namespaceSelector !== undefined && namespaceSelector !== null;
  const hasIp = ipBlock !== undefined && ipBlock !== null;
  if (hasIp) {
    if (hasPod || hasNs) {
      sink.add(field, 'ipBlock cannot be combined with podSelector or namespaceSelector in one peer');
      return undefined;
    }
    if (!isPlainObject(ipBlock) || typeof ipBlock.cidr !== 'string') {
      sink.add(`${field}.ipBlock.cidr`, 'must be a CIDR string');
      return undefined;
    }
    const cidr = parseCidr(ipBlock.cidr);
    if (!cidr) {
      sink.add(`${field}.ipBlock.cidr`, `invalid CIDR ${JSON.stringify(ipBlock.cidr)}`);
      return undefined;
    }
    const except: Cidr[] = [];
    const exceptList = readList(ipBlock.except, `${field}.ipBlock.except`, sink) ?? [];
    exceptList.forEach((e, i) => {
      const c = typeof e === 'string' ? parseCidr(e) : undefined;
      if (!c) sink.add(`${field}.ipBlock.except[${i}]`, `invalid CIDR ${JSON.stringify(e)}`);
      else if (!cidrWithin(c, cidr)) {
        sink.add(`${field}.ipBlock.except[${i}]`, `${e} is not inside ${ipBlock.cidr}`);
      } else except.push(c);
    });
    return { kind: 'ipBlock', cidr, except };
  }
  if (!hasPod && !hasNs) {
    sink.add(field, 'a peer needs podSelector, namespaceSelector or ipBlock');
    return undefined;
  }
  const peer: NetworkPolicyPeer = { kind: 'pods' };
  if (hasPod) {
    const { selector, problems } = compileSelector(podSelector, `${field}.podSelector`);
    problems.forEach(p => sink.add(p.field, p.message));
    if (!selector) return undefined;
    peer.podSelector = selector;
  }
  if (hasNs) {
    const { selector, problems } = compileSelector(namespaceSelector, `${field}.namespaceSelector`);
    problems.forEach(p => sink.add(p.field, p.message));
    if (!selector) return undefined;
    peer.namespaceSelector = selector;
  }
  return peer;
}

function parseRule(value: unknown, field: string, direction: Direction, sink: ProblemSink): NetworkPolicyRule | undefined {
  if (!isPlainObject(value)) {
    sink.add(field, 'must be an object');
    return undefined;
  }
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  const rule: NetworkPolicyRule = {};
  const before = sink.problems.length;
  const peers = readList(value[peerKey], `${field}.${peerKey}`, sink);
  if (peers && peers.length > 0) {
    rule.peers = peers.map((p, i) => parsePeer(p, `${field}.${peerKey}[${i}]`, sink)).filter((p): p is NetworkPolicyPeer => p !== undefined);
  }
  const ports = readList(value.ports, `${field}.ports`, sink);
  if (ports && ports.length > 0) {
    rule.ports = ports.map((p, i) => parsePortEntry(p, `${field}.ports[${i}]`, sink)).filter((p): p is PortEntry => p !== undefined);
  }
  return sink.problems.length === before ? rule : undefined;
}

/** Parses one NetworkPolicy; undefined (with problems in `sink`) when malformed. */
export function parseNetworkPolicy(obj: Record<string, unknown>, namespace: string, name: string, sink: ProblemSink): NetworkPolicyModel | undefined {
  const spec = obj.spec;
  if (!isPlainObject(spec)) {
    sink.add('spec', 'is required');
    return undefined;
  }
  if (spec.podSelector === undefined || spec.podSelector === null) {
    // Required by the API; `{}` is how to say "every pod".
    sink.add('spec.podSelector', 'is required (use {} to select every pod)');
    return undefined;
  }
  const { selector: podSelector, problems } = compileSelector(spec.podSelector, 'spec.podSelector');
  problems.forEach(p => sink.add(p.field, p.message));

  const ingressList = readList(spec.ingress, 'spec.ingress', sink);
  const egressList = readList(spec.egress, 'spec.egress', sink);
  // docs/policy-semantics.md#netpol-1: the API server's defaulting adds Egress only when `egress` holds a rule
  // (it tests the list's length), so `egress: []` alone is ingress-only.
  const isolates: Record<Direction, boolean> = { ingress: true, egress: (egressList?.length ?? 0) > 0 };
  const types = readList(spec.policyTypes, 'spec.policyTypes', sink);
  // An empty list gets the same defaulting as an absent one (the API server does this).
  if (types !== undefined && types.length > 0) {
    isolates.ingress = false;
    isolates.egress = false;
    types.forEach((t, i) => {
      if (t === 'Ingress') isolates.ingress = true;
      else if (t === 'Egress') isolates.egress = true;
      else sink.add(`spec.policyTypes[${i}]`, `unknown policy type ${JSON.stringify(t)} (Ingress or Egress)`);
    });
  }
  const ingress = (ingressList ?? []).map((r, i) => parseRule(r, `spec.ingress[${i}]`, 'ingress', sink));
  const egress = (egressList ?? []).map((r, i) => parseRule(r, `spec.egress[${i}]`, 'egress', sink));
  if (!sink.ok || !podSelector) return undefined;
  return {
    kind: 'NetworkPolicy',
    ref: `${namespace}/${name}`,
    namespace,
    name,
    podSelector,
    isolates,
    ingress: ingress as NetworkPolicyRule[],
    egress: egress as NetworkPolicyRule[],
  };
}

/** Does the policy select this workload (docs/policy-semantics.md#netpol-2: only in its own namespace)? */
export function networkPolicySelects(policy: NetworkPolicyModel, workload: WorkloadModel): boolean {
  return policy.namespace === workload.namespace && policy.podSelector.matches(workload.labels);
}

/**
 * How a peer matches an endpoint. `cni`: only because an ipBlock covers a
 * pod's IP, which the CNI decides (docs/policy-semantics.md#netpol-9); a checker counts it as a match.
 */
export type PeerMatch = 'yes' | 'cni' | 'no';

function ipBlockMatches(peer: Extract<NetworkPolicyPeer, { kind: 'ipBlock' }>, ip: string): boolean {
  return cidrContains(peer.cidr, ip) && !peer.except.some(e => cidrContains(e, ip));
}

export /** Ranges no pod is ever addressed from: link-local (where istio-cni SNATs kubelet probes) and loopback. */
const NEVER_POD_ADDRESSES = ['169.254.0.0/16', '127.0.0.0/8', 'fe80::/10', '::1/128'].map(c => parseCidr(c)!);

/** Can the block cover a pod whose address is not known? Only if it reaches beyond the never-pod ranges. */
export function ipBlockMayHoldPods(peer: Extract<NetworkPolicyPeer, { kind: 'ipBlock' }>, podRanges?: readonly Cidr[]): boolean {
  if (NEVER_POD_ADDRESSES.some(r => cidrWithin(peer.cidr, r))) return false;
  // Known pod ranges: the block must reach into one, and not carve it out whole.
  return !podRanges || podRanges.some(r => (cidrWithin(r, peer.cidr) || cidrWithin(peer.cidr, r)) && !peer.except.some(e => cidrWithin(r, e)));
}

export function peerMatches(peer: NetworkPolicyPeer, policyNamespace: string, endpoint: Endpoint): PeerMatch {
  if (peer.kind === 'ipBlock') {
    if (endpoint.type === 'external') return ipBlockMatches(peer, endpoint.ip) ? 'yes' : 'no';
    // docs/policy-semantics.md#netpol-9: Calico, Antrea, kube-router (and upstream e2e) match pod IPs, Cilium does not.
    // Calling it denied would be a fail-open, so it matches, marked as CNI-dependent.
    const { ip, anyAddress, addressRanges } = endpoint.workload;
    if (ip !== undefined) return ipBlockMatches(peer, ip) ? 'cni' : 'no';
    return anyAddress && ipBlockMayHoldPods(peer, addressRanges) ? 'cni' : 'no';
  }
  if (endpoint.type !== 'workload') return 'no';
  const nsOk = peer.namespaceSelector ? peer.namespaceSelector.matches(endpoint.namespace.labels) : endpoint.workload.namespace === policyNamespace;
  if (!nsOk) return 'no';
  return !peer.podSelector || peer.podSelector.matches(endpoint.workload.labels) ? 'yes' : 'no';
}

/**
 * The words for a flow that only an ipBlock covering a pod's IP admits: which
 * data planes allow it and which deny it (docs/policy-semantics.md#netpol-9).
 */
export function cniCaveat(policies: readonly string[], direction: Direction, flow: Flow): string {
  const peer = direction === 'ingress' ? flow.source : flow.destination;
  let covers = `covers ${endpointName(peer)}`;
  if (peer.type === 'workload') {
    covers =
      peer.workload.ip !== undefined
        ? `covers the pod IP of ${peer.workload.key} (${peer.workload.ip})`
        : `may cover the address of ${peer.workload.key} (not known here)`;
  }
  return (
    `depends on the CNI: only an ipBlock of ${policies.join(', ')} ${covers}; ` +
    'Calico, Antrea and kube-router match pod IPs by ipBlock and allow it (as the upstream e2e suite expects), ' +
    'Cilium does not and denies it; counted as allowed'
  );
}

/** Does one `ports[]` entry admit the flow? Named ports resolve on the destination (docs/policy-semantics.md#netpol-7). */
export function portEntryMatches(entry: PortEntry, flow: Flow): boolean {
  if (entry.protocol !== flow.protocol) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'number') {
    return entry.endPort !== undefined ? flow.port >= entry.port && flow.port <= entry.endPort : flow.port === entry.port;
  }
  return flow.destinationPorts.some(p => p.name === entry.port && p.protocol === flow.protocol && p.port === flow.port);
}

function ruleMatches(rule: NetworkPolicyRule, policyNamespace: string, peer: Endpoint, flow: Flow): PeerMatch {
  if (rule.ports && !rule.ports.some(p => portEntryMatches(p, flow))) return 'no';
  if (!rule.peers) return 'yes';
  let best: PeerMatch = 'no';
  for (const p of rule.peers) {
    const m = peerMatches(p, policyNamespace, peer);
    if (m === 'yes') return 'yes';
    if (m === 'cni') best = 'cni';
  }
  return best;
}

export interface DirectionVerdict {
  /** Policies that isolate the pod for this direction. */
  isolatedBy: string[];
  /** Policies with a rule admitting the flow (CNI-dependent ones included). */
  allowedBy: string[];
  /** Those of `allowedBy` that admit it only by an ipBlock covering the peer pod's IP (docs/policy-semantics.md#netpol-9). */
  cniDependent: string[];
}

/**
 * Evaluates one direction at one pod: `policies` are those selecting the pod
 * (the caller precomputes them). The pod is the destination for ingress and
 * the source for egress; the other end is the peer (docs/policy-semantics.md#netpol-6: additive).
 */
export function evaluateNetworkPolicies(policies: readonly NetworkPolicyModel[], direction: Direction, flow: Flow): DirectionVerdict {
  const isolatedBy: string[] = [];
  const allowedBy: string[] = [];
  const cniDependent: string[] = [];
  const peer = direction === 'ingress' ? flow.source : flow.destination;
  for (const policy of policies) {
    if (!policy.isolates[direction]) continue;
    isolatedBy.push(policy.ref);
    const rules = direction === 'ingress' ? policy.ingress : policy.egress;
    let best: PeerMatch = 'no';
    for (const r of rules) {
      const m = ruleMatches(r, policy.namespace, peer, flow);
      if (m !== 'no') best = m;
      if (m === 'yes') break;
    }
    if (best !== 'no') allowedBy.push(policy.ref);
    if (best === 'cni') cniDependent.push(policy.ref);
  }
  return { isolatedBy, allowedBy, cniDependent };
}
