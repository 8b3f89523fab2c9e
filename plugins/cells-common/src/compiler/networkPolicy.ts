import { NAMESPACE_NAME_LABEL } from '../labels/keys';
import { restricting } from './applyPhase';
import { CellContext, KubeObject, meta } from './context';
import { L4Intent, Peer, PeerRule, dnsPeer, l4Intents } from './flows';
import { CELL_OBJECT_NAMES } from './names';

export function peerOf(peer: Peer) {
  if (peer.kind === 'cidr') return { ipBlock: { cidr: peer.cidr } };
  if (peer.kind === 'network') return { ipBlock: { cidr: peer.cidr, ...(peer.except ? { except: peer.except } : {}) } };
  // namespaceSelector and podSelector in ONE peer: ANDed (reference L1a.4).
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.namespace } },
    podSelector: { matchLabels: { ...peer.labels } },
  };
}

export function rulesOf(rules: PeerRule[], direction: 'from' | 'to') {
  return rules.map(rule => ({
    [direction]: [peerOf(rule.peer)],
    ports: rule.ports.map(p => ({ protocol: p.protocol, port: p.port })),
  }));
}

function policyOf(ctx: CellContext, intent: L4Intent): KubeObject {
  const ingress = rulesOf(intent.ingress, 'from');
  const egress = rulesOf(intent.egress, 'to');
  const policy: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(ctx, intent.name, intent.source),
    spec: {
      podSelector: { matchLabels: { ...intent.subject } },
      // Both directions listed explicitly, so a direction without rules allows
      // nothing. Its empty list is left out: the API server stores none, and a
      // GitOps diff against what it stores would never settle.
      policyTypes: ['Ingress', 'Egress'],
      ...(ingress.length ? { ingress } : {}),
      ...(egress.length ? { egress } : {}),
    },
  };
  // Without rules it admits nothing: it isolates its pods, so it goes in after the allow rules.
  return ingress.length || egress.length ? policy : restricting(policy);
}

/** Kubernetes NetworkPolicies: default-deny both ways, DNS, then one per component and the waypoint. */
export function networkPolicies(ctx: CellContext): KubeObject[] {
  const defaultDeny: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(ctx, CELL_OBJECT_NAMES.defaultDeny, ctx.cell.ref),
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
  const dns: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(ctx, CELL_OBJECT_NAMES.allowDns, ctx.cell.ref),
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: rulesOf([dnsPeer(ctx)], 'to') },
  };
  return [restricting(defaultDeny), dns, ...l4Intents(ctx).map(intent => policyOf(ctx, intent))];
}
