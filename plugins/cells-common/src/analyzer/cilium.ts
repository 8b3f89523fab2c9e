/** CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2): L3/L4(+HTTP) evaluation. */
import { cidrContains, parseIp } from './ip';
import type { Endpoint, NamespaceModel, WorkloadModel } from './model';
import type { Direction, Flow } from './networkPolicy';
import { ciliumEndpointLabels, CiliumHttpRule, CiliumPeers, CiliumPolicyModel, CiliumPort, CiliumRule } from './ciliumModel';

// The model and labels are in ciliumModel.ts, parsing in ciliumParse.ts; this module evaluates.
// What importers used from this module is still exported here.
export { CILIUM_NAMESPACE_LABEL, CILIUM_NAMESPACE_LABELS_PREFIX, CILIUM_SERVICE_ACCOUNT_LABEL, ciliumEndpointLabels, stripCiliumSource } from './ciliumModel';
export type { CiliumHttpRule, CiliumPeers, CiliumPolicyModel, CiliumPort, CiliumPortRule, CiliumProtocol, CiliumRule, CiliumRuleEntry } from './ciliumModel';
export { parseCiliumPolicy } from './ciliumParse';

export function ciliumRuleSelects(rule: CiliumRule, workload: WorkloadModel, namespace: NamespaceModel): boolean {
  return rule.endpointSelector.matches(ciliumEndpointLabels(workload, namespace));
}

function peerMatches(peers: CiliumPeers, endpoint: Endpoint): boolean {
  if (peers.wildcard) return true;
  if (endpoint.type === 'workload') {
    if (peers.entities.includes('all') || peers.entities.includes('cluster')) return true;
    const labels = ciliumEndpointLabels(endpoint.workload, endpoint.namespace);
    return peers.endpoints.some(s => s.matches(labels));
  }
  // Outside the cluster: entities world/all and CIDR rules (CIDRs never select pods in Cilium).
  const family = parseIp(endpoint.ip)?.family;
  if (peers.entities.includes('all') || peers.entities.includes('world')) return true;
  if (peers.entities.includes('world-ipv4') && family === 4) return true;
  if (peers.entities.includes('world-ipv6') && family === 6) return true;
  // An FQDN rule admits the addresses its names resolved to: a connection opened for a matching host.
  if (endpoint.host !== undefined && peers.fqdns?.some(f => f.matches(endpoint.host!))) return true;
  return peers.cidrs.some(c => cidrContains(c.cidr, endpoint.ip) && !c.except.some(e => cidrContains(e, endpoint.ip)));
}

function portMatches(port: CiliumPort, flow: Flow): boolean {
  if (port.protocol !== 'ANY' && port.protocol !== flow.protocol) return false;
  if (port.port === undefined) return true;
  if (typeof port.port === 'number') {
    return port.endPort !== undefined ? flow.port >= port.port && flow.port <= port.endPort : flow.port === port.port;
  }
  return flow.destinationPorts.some(p => p.name === port.port && p.port === flow.port && (port.protocol === 'ANY' || p.protocol === port.protocol));
}

/** An HTTP request as far as the caller knows it; missing parts never satisfy a constraint. */
export interface HttpAttributes {
  method?: string;
  path?: string;
  host?: string;
}

function httpRuleMatches(rule: CiliumHttpRule, http: HttpAttributes): boolean {
  if (rule.headers > 0) return false;
  const path = http.path?.split('?')[0];
  if (rule.method && (http.method === undefined || !rule.method.test(http.method))) return false;
  if (rule.path && (path === undefined || !rule.path.test(path))) return false;
  if (rule.host && (http.host === undefined || !rule.host.test(http.host))) return false;
  return true;
}

export interface CiliumDirectionVerdict {
  /** Rules with a list for this direction and default-deny on. */
  enforcedBy: string[];
  /** Rules with a list for this direction (enforcing or not). */
  selectedBy: string[];
  deniedBy: string[];
  /** Allowed at L3/L4 and, where HTTP rules exist, by one of them. */
  allowedBy: string[];
  /** Allowed at L3/L4 but every matching entry has HTTP rules the request fails (HTTP 403). */
  httpRejectedBy: { ref: string; allowed: string[] }[];
}

export interface SelectingCiliumRule {
  policy: CiliumPolicyModel;
  rule: CiliumRule;
}

/** Evaluates the Cilium rules selecting one endpoint for one direction (peer = the other end). */
export function evaluateCiliumRules(selecting: readonly SelectingCiliumRule[], direction: Direction, flow: Flow, http: HttpAttributes): CiliumDirectionVerdict {
  const verdict: CiliumDirectionVerdict = {
    enforcedBy: [],
    selectedBy: [],
    deniedBy: [],
    allowedBy: [],
    httpRejectedBy: [],
  };
  const peer = direction === 'ingress' ? flow.source : flow.destination;
  for (const { policy, rule } of selecting) {
    const allows = direction === 'ingress' ? rule.ingress : rule.egress;
    const denies = direction === 'ingress' ? rule.ingressDeny : rule.egressDeny;
    if (allows.length === 0 && denies.length === 0) continue;
    if (!verdict.selectedBy.includes(policy.ref)) verdict.selectedBy.push(policy.ref);
    if (rule.defaultDeny[direction] && !verdict.enforcedBy.includes(policy.ref)) verdict.enforcedBy.push(policy.ref);
    for (const entry of denies) {
      if (entry.icmpOnly || !peerMatches(entry.peers, peer)) continue;
      const portOk = !entry.toPorts || entry.toPorts.some(t => !t.ports || t.ports.some(p => portMatches(p, flow)));
      if (portOk && !verdict.deniedBy.includes(policy.ref)) verdict.deniedBy.push(policy.ref);
    }
    for (const entry of allows) {
      if (entry.icmpOnly || !peerMatches(entry.peers, peer)) continue;
      if (!entry.toPorts) {
        if (!verdict.allowedBy.includes(policy.ref)) verdict.allowedBy.push(policy.ref);
        continue;
      }
      for (const portRule of entry.toPorts) {
        if (portRule.ports && !portRule.ports.some(p => portMatches(p, flow))) continue;
        if (!portRule.http || portRule.http.some(h => httpRuleMatches(h, http))) {
          if (!verdict.allowedBy.includes(policy.ref)) verdict.allowedBy.push(policy.ref);
        } else {
          verdict.httpRejectedBy.push({ ref: policy.ref, allowed: portRule.http.map(h => h.text) });
        }
      }
    }
  }
  return verdict;
}
