import { KubeObject } from '@cellplane/cells-common';

/** A kind Cellplane's compiler emits, with its REST resource and the protection layer it belongs to. */
export interface ManagedKind {
  apiVersion: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  /** Identity (always served) or the layer whose CRD may be missing. */
  layer: 'identity' | 'L3/L4' | 'mTLS' | 'L7';
}

export const MANAGED_KINDS: ManagedKind[] = [
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    resource: 'namespaces',
    namespaced: false,
    layer: 'identity',
  },
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    resource: 'serviceaccounts',
    namespaced: true,
    layer: 'identity',
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    resource: 'services',
    namespaced: true,
    layer: 'identity',
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    resource: 'roles',
    namespaced: true,
    layer: 'identity',
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    resource: 'rolebindings',
    namespaced: true,
    layer: 'identity',
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    resource: 'networkpolicies',
    namespaced: true,
    layer: 'L3/L4',
  },
  {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    resource: 'ciliumnetworkpolicies',
    namespaced: true,
    layer: 'L3/L4',
  },
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    resource: 'peerauthentications',
    namespaced: true,
    layer: 'mTLS',
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    resource: 'gateways',
    namespaced: true,
    layer: 'L7',
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    resource: 'httproutes',
    namespaced: true,
    layer: 'L7',
  },
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    resource: 'authorizationpolicies',
    namespaced: true,
    layer: 'L7',
  },
];

export const kindKey = (apiVersion: string, kind: string) =>
  `${apiVersion}/${kind}`;
const BY_KEY = new Map(
  MANAGED_KINDS.map(k => [kindKey(k.apiVersion, k.kind), k]),
);

export function managedKindOf(
  o: Pick<KubeObject, 'apiVersion' | 'kind'>,
): ManagedKind | undefined {
  return BY_KEY.get(kindKey(o.apiVersion, o.kind));
}

export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/')
    ? `/apis/${apiVersion}`
    : `/api/${apiVersion}`;
}

/** The collection path across namespaces (for informers), or of one namespace. */
export function collectionPath(kind: ManagedKind, namespace?: string): string {
  const ns =
    kind.namespaced && namespace
      ? `/namespaces/${encodeURIComponent(namespace)}`
      : '';
  return `${groupVersionPath(kind.apiVersion)}${ns}/${kind.resource}`;
}

export function objectPath(
  kind: ManagedKind,
  o: Pick<KubeObject, 'metadata'>,
): string {
  return `${collectionPath(kind, o.metadata.namespace)}/${encodeURIComponent(
    o.metadata.name,
  )}`;
}

/**
 * The apply phase of an object. Phases run in order, each after the previous
 * one succeeded, so a cell is never wide open and its declared calls never
 * break midway:
 * 0 namespace; 1 identities and services (what the policies select and name);
 * 2 allow rules and the waypoint; 3 rules that deny by default or narrow who
 * may connect (default-deny, allow-nothing, waypoint-only, strict mTLS).
 * Pruning runs after phase 3.
 */
export function phaseOf(o: KubeObject): number {
  const kind = managedKindOf(o);
  if (!kind) return 2;
  if (o.kind === 'Namespace') return 0;
  if (kind.layer === 'identity') return 1;
  const spec = (o.spec ?? {}) as Record<string, unknown>;
  if (o.kind === 'NetworkPolicy' && !spec.ingress && !spec.egress) return 3;
  if (o.kind === 'CiliumNetworkPolicy' && spec.enableDefaultDeny) return 3;
  if (
    o.kind === 'AuthorizationPolicy' &&
    (spec.action === 'DENY' ||
      !spec.rules ||
      o.metadata.name.endsWith('-waypoint-only'))
  )
    return 3;
  if (o.kind === 'PeerAuthentication') return 3;
  return 2;
}
