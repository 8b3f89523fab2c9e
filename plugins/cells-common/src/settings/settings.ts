import { PlatformService } from './platform';
/** L3/L4 policy flavour of an environment's clusters. */
export type NetworkPolicyFlavour = 'kubernetes' | 'cilium';
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';
export type NamingScheme = 'openchoreo' | 'cell-env';

export interface EnvironmentSettings {
  name: string;
  networkPolicy: NetworkPolicyFlavour;
  /** `audit`: no cell here gets a policy that could deny a call (docs/rollout.md). Absent: enforce. */
  enforcement?: 'audit' | 'enforce';
}

/** Where a set of pods lives: a namespace and the labels of its pods. */
export interface PodPeer {
  namespace: string;
  podLabels: Record<string, string>;
}

/**
 * The platform settings of the compiler, read from app-config `cells:` (see
 * config.d.ts of this package). Every field has a default; see DEFAULT_SETTINGS.
 */
export interface CellsSettings {
  environments: EnvironmentSettings[];
  /** Environments of a cell that lists none. */
  defaultEnvironments: string[];
  naming: {
    scheme: NamingScheme;
    /** OpenChoreo's control-plane namespace part; default: the System's catalog namespace. */
    controlPlaneNamespace?: string;
  };
  /** Label that selects a component's pods; its value is the component name. */
  podLabelKey: string;
  podSecurity: PodSecurityLevel;
  mesh: {
    /** Istio ambient: mTLS, waypoints and L7 policies. Off means L3/L4 only. */
    enabled: boolean;
    trustDomain: string;
    /** Name of each cell's waypoint Gateway (also its service account). */
    waypointName: string;
    /** istiod, which waypoints reach for their configuration. */
    controlPlane: PodPeer & { port: number };
  };
  gateway: PodPeer & {
    /** The shared external Gateway public HTTP endpoints attach to. */
    name: string;
    className: string;
    /** The gateway pods' SPIFFE principal, without `spiffe://`. */
    principal: string;
    /**
     * Where each public endpoint is reached on the shared Gateway. Templates over
     * {environment}, {namespace} (the System's catalog namespace), {cell},
     * {component} and {endpoint}; see ROUTE_PLACEHOLDERS.
     */
    routes: {
      /** The route's hostname; none: the route matches every hostname of the Gateway. */
      hostname?: string;
      /** The path prefix, stripped before the request reaches the component. */
      pathPrefix: string;
    };
    /** Which gateway enforces the front door (docs/front-door.md): istio or envoy-gateway. */
    implementation: GatewayImplementation;
    /** The identity providers public endpoints may require, sorted by name. */
    jwtProviders: JwtProvider[];
    /** true: a public endpoint declares `auth`; strict: and never `none`; false: no `auth` is open. */
    requireAuthentication: boolean | 'strict';
  };
  dns: PodPeer & { port: number };
  /** Generate a Service per component, or let workloads bring one of the same name. */
  services: 'generate' | 'bring-your-own';
  rbac: {
    enabled: boolean;
    /** What the owner group may manage in its cell's namespace. */
    rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    /**
     * Which owners may become the subject of a cell's RoleBinding: patterns over
     * the owner's entity ref (`group:<namespace>/<name>`, `*` any run of
     * characters). The owner must also be a Group or User of the catalog, and a
     * `system:` name never is.
     */
    subjects: string[];
  };
  compliance: {
    /** Every connection and allowFrom grant must carry a `reason` (a catalog error otherwise). */
    requireReasons: boolean;
  };
  /** Calls that leave the cluster (docs/egress.md). */
  egress: {
    /** The platform namespace of the egress waypoint, the ServiceEntries and their policies. */
    namespace: string;
    /** The egress waypoint Gateway's name (also its service account). */
    waypointName: string;
    /** Networks no ceiling or entry can ever reach (default: the cloud metadata address). */
    deny: string[];
    /** Accept `*.suffix` hosts: only with a data plane that enforces them (Istio >= 1.28 DYNAMIC_DNS egress waypoint). */
    wildcardHosts: boolean;
  };
  /** Shared services outside every cell: scrapers and services components call (docs/egress.md). */
  platform: { services: PlatformService[] };
  /** The cluster's own address ranges: never an egress destination (use connections). */
  cluster: {
    podCIDRs: string[];
    serviceCIDRs: string[];
  };
}

export const GATEWAY_IMPLEMENTATIONS = ['istio', 'envoy-gateway'] as const;
export type GatewayImplementation = (typeof GATEWAY_IMPLEMENTATIONS)[number];

/** One entry of cells.gateway.jwtProviders: who issues the tokens a public endpoint may require. */
export interface JwtProvider {
  name: string;
  /** The tokens' `iss` claim. */
  issuer: string;
  /** Where the signing keys are fetched (https), or the key set itself (JSON text): exactly one. */
  jwksUri?: string;
  jwks?: string;
  /** A token must carry one of these in `aud`; absent: any audience. */
  audiences?: string[];
}

/** The placeholders of cells.gateway.routes templates. */
export const ROUTE_PLACEHOLDERS = ['environment', 'namespace', 'cell', 'component', 'endpoint'] as const;
export type RoutePlaceholder = (typeof ROUTE_PLACEHOLDERS)[number];

export const DEFAULT_SETTINGS: CellsSettings = {
  environments: [{ name: 'development', networkPolicy: 'kubernetes' }],
  defaultEnvironments: ['development'],
  naming: { scheme: 'openchoreo' },
  podLabelKey: 'backstage.io/kubernetes-id',
  podSecurity: 'restricted',
  mesh: {
    enabled: true,
    trustDomain: 'cluster.local',
    waypointName: 'waypoint',
    controlPlane: { namespace: 'istio-system', podLabels: { app: 'istiod' }, port: 15012 },
  },
  gateway: {
    name: 'external',
    namespace: 'gateway-system',
    className: 'istio',
    podLabels: { 'gateway.networking.k8s.io/gateway-name': 'external' },
    principal: 'cluster.local/ns/gateway-system/sa/external-istio',
    // Every part that tells two public endpoints apart: no two routes share a path.
    routes: { pathPrefix: '/{namespace}/{cell}/{component}/{endpoint}' },
    implementation: 'istio',
    jwtProviders: [],
    requireAuthentication: true,
  },
  dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, port: 53 },
  services: 'generate',
  rbac: {
    enabled: true,
    // Workloads only: never policies, Services or RBAC, which Cellplane owns.
    rules: [
      {
        apiGroups: ['apps'],
        resources: ['deployments', 'statefulsets', 'replicasets'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
      {
        apiGroups: [''],
        resources: ['pods', 'pods/log', 'configmaps', 'secrets'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
    ],
    subjects: ['group:*/*', 'user:*/*'],
  },
  compliance: { requireReasons: false },
  egress: { namespace: 'cellplane-egress', waypointName: 'egress', deny: ['169.254.169.254/32'], wildcardHosts: false },
  platform: { services: [] },
  // OpenChoreo's k3d quick start (k3s defaults).
  cluster: { podCIDRs: ['10.42.0.0/16'], serviceCIDRs: ['10.43.0.0/16'] },
};
