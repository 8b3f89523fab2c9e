/**
 * The label and annotation keys Cellplane writes or reads, defined once: the
 * compiler writes them, the analyzer reads them, and the adapters select and
 * watch by them (the backend's Kubernetes target). What the Kubernetes, Istio
 * and Cilium keys make the data planes do: docs/policy-semantics.md.
 */

/** On every object Cellplane writes: `cellplane`. Pruning touches only objects carrying it. */
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
/** The cell (its System's name) an object belongs to. */
export const CELL_LABEL = 'cellplane.io/cell';
/**
 * `true` on every object of the platform egress namespace (docs/egress.md),
 * which belongs to no cell: a target that reads labels (the Kubernetes
 * target) knows them by it as the environment's egress unit.
 */
export const EGRESS_LABEL = 'cellplane.io/egress';
/** The environment an object was compiled for. */
export const ENVIRONMENT_LABEL = 'cellplane.io/environment';
/** The catalog entity an object was compiled from. */
export const SOURCE_ANNOTATION = 'cellplane.io/source';
/** When a target applies an object: `namespace`, `identity`, `allow` or `restrict` (compiler/applyPhase.ts). */
export const APPLY_PHASE_ANNOTATION = 'cellplane.io/apply-phase';

/** Every namespace's own name, set by the API server (docs/policy-semantics.md#netpol-10). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** The Gateway a deployed gateway's pods belong to, waypoints included (docs/policy-semantics.md#authz-10). */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** `ambient` enrols a namespace's pods in the mesh; `none` opts a pod out (docs/policy-semantics.md#ambient-1). */
export const AMBIENT_LABEL = 'istio.io/dataplane-mode';
/** The waypoint a namespace or Service uses (docs/policy-semantics.md#authz-10). */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
/** The namespace of that waypoint, when not the object's own. */
export const USE_WAYPOINT_NAMESPACE_LABEL = 'istio.io/use-waypoint-namespace';
/** `"true"` sends ingress-gateway traffic through the waypoint too (docs/policy-semantics.md#authz-11). */
export const INGRESS_USE_WAYPOINT_LABEL = 'istio.io/ingress-use-waypoint';
/** Which traffic a waypoint takes (`service` by default). */
export const WAYPOINT_FOR_LABEL = 'istio.io/waypoint-for';

/** The service account label Cilium gives every endpoint (docs/policy-semantics.md#cilium-8). */
export const CILIUM_SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';
/** The namespace key of Cilium's endpoint selectors (docs/policy-semantics.md#cilium-2). */
export const CILIUM_NAMESPACE_KEY = 'k8s:io.kubernetes.pod.namespace';
