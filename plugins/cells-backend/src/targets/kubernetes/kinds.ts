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
  {
    // The platform egress namespace's external hosts (docs/egress.md).
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    resource: 'serviceentries',
    namespaced: true,
    layer: 'L7',
  },
  // The front door (docs/front-door.md): Istio's token check, or Envoy Gateway's token check and rate limit.
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'RequestAuthentication',
    resource: 'requestauthentications',
    namespaced: true,
    layer: 'L7',
  },
  {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'SecurityPolicy',
    resource: 'securitypolicies',
    namespaced: true,
    layer: 'L7',
  },
  {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'BackendTrafficPolicy',
    resource: 'backendtrafficpolicies',
    namespaced: true,
    layer: 'L7',
  },
];

export const kindKey = (apiVersion: string, kind: string) => `${apiVersion}/${kind}`;
const BY_KEY = new Map(MANAGED_KINDS.map(k => [kindKey(k.apiVersion, k.kind), k]));

export function managedKindOf(o: Pick<KubeObject, 'apiVersion' | 'kind'>): ManagedKind | undefined {
  return BY_KEY.get(kindKey(o.apiVersion, o.kind));
}

export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The collection path across namespaces (for informers), or of one namespace. */
export function collectionPath(kind: ManagedKind, namespace?: string): string {
  const ns = kind.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupVersionPath(kind.apiVersion)}${ns}/${kind.resource}`;
}

export function objectPath(kind: ManagedKind, o: Pick<KubeObject, 'metadata'>): string {
  return `${collectionPath(kind, o.metadata.namespace)}/${encodeURIComponent(o.metadata.name)}`;
}
