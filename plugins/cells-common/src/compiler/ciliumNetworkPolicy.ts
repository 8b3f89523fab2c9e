import { CILIUM_NAMESPACE_KEY as POD_NAMESPACE_KEY } from '../labels/keys';
import { restricting } from './applyPhase';
import { CellContext, KubeObject, meta } from './context';
import { L4Intent, Peer, PeerRule, dnsPeer, l4Intents } from './flows';
import { CELL_OBJECT_NAMES } from './names';

function toPorts(rule: PeerRule) {
  return [{ ports: rule.ports.map(p => ({ port: String(p.port), protocol: p.protocol })) }];
}

export function selectorOf(peer: Extract<Peer, { kind: 'pods' }>) {
  // Without the namespace key Cilium would mean "this namespace" (reference L1b.2): always explicit.
  return { matchLabels: { [POD_NAMESPACE_KEY]: peer.namespace, ...peer.labels } };
}

export function rulesOf(rules: PeerRule[], direction: 'ingress' | 'egress') {
  return rules.map(rule => {
    if (rule.peer.kind === 'network') {
      const set = { cidr: rule.peer.cidr, ...(rule.peer.except ? { except: rule.peer.except } : {}) };
      return { [direction === 'ingress' ? 'fromCIDRSet' : 'toCIDRSet']: [set], toPorts: toPorts(rule) };
    }
    if (rule.peer.kind === 'cidr') {
      return { [direction === 'ingress' ? 'fromCIDR' : 'toCIDR']: [rule.peer.cidr], toPorts: toPorts(rule) };
    }
    return {
      [direction === 'ingress' ? 'fromEndpoints' : 'toEndpoints']: [selectorOf(rule.peer)],
      toPorts: toPorts(rule),
    };
  });
}

function policyOf(ctx: CellContext, intent: L4Intent): KubeObject | undefined {
  const ingress = rulesOf(intent.ingress, 'ingress');
  const egress = rulesOf(intent.egress, 'egress');
  // Cilium rejects a rule with no lists; the cell-wide default-deny already isolates these pods.
  if (ingress.length === 0 && egress.length === 0) return undefined;
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: meta(ctx, intent.name, intent.source),
    spec: {
      endpointSelector: { matchLabels: { ...intent.subject } },
      ...(ingress.length ? { ingress } : {}),
      ...(egress.length ? { egress } : {}),
    },
  };
}

/**
 * CiliumNetworkPolicies with the same meaning as the Kubernetes flavour. Default
 * deny is `[{}]` per direction: in Cilium an empty rule turns enforcement on and
 * allows nothing, while an empty list would enforce nothing (reference L1b.3).
 */
export function ciliumNetworkPolicies(ctx: CellContext): KubeObject[] {
  const defaultDeny: KubeObject = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: meta(ctx, CELL_OBJECT_NAMES.defaultDeny, ctx.cell.ref),
    spec: {
      endpointSelector: {},
      enableDefaultDeny: { ingress: true, egress: true },
      ingress: [{}],
      egress: [{}],
    },
  };
  const dns: KubeObject = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: meta(ctx, CELL_OBJECT_NAMES.allowDns, ctx.cell.ref),
    spec: { endpointSelector: {}, egress: rulesOf([dnsPeer(ctx)], 'egress') },
  };
  const perIntent = l4Intents(ctx)
    .map(intent => policyOf(ctx, intent))
    .filter((p): p is KubeObject => p !== undefined);
  return [restricting(defaultDeny), dns, ...perIntent];
}
