export interface Config {
  /**
   * Cellplane: how catalog cells become Kubernetes manifests. Every key is
   * optional; docs/settings.md lists the defaults.
   */
  cells?: {
    /** Environments cells can be deployed to, each with its L3/L4 policy flavour. */
    environments?: Array<{
      name: string;
      /** Kubernetes NetworkPolicy or CiliumNetworkPolicy. Default kubernetes. */
      networkPolicy?: 'kubernetes' | 'cilium';
      /**
       * audit: no cell in this environment gets a policy that could deny a call
       * (no default-deny, no ALLOW-list AuthorizationPolicy, no STRICT mTLS);
       * GET /rollout lists the observed calls enforce would break. A cell's
       * own spec.cell.enforcement: audit also audits it. Default enforce.
       */
      enforcement?: 'audit' | 'enforce';
    }>;
    /** Environments of a cell whose System lists none. Default: the first environment. */
    defaultEnvironments?: string[];
    naming?: {
      /** openchoreo: dp-<ns>-<cell>-<env>-<hash8> (default); cell-env: <cell>-<env>. */
      scheme?: 'openchoreo' | 'cell-env';
      /** OpenChoreo's control-plane namespace part. Default: the System's catalog namespace. */
      controlPlaneNamespace?: string;
    };
    /** Pod label whose value is the component name. Default backstage.io/kubernetes-id. */
    podLabelKey?: string;
    /** Pod Security Standards level enforced on cell namespaces. Default restricted. */
    podSecurity?: 'privileged' | 'baseline' | 'restricted';
    mesh?: {
      /** Istio ambient mTLS, waypoints and L7 policy. Default true; false means L3/L4 only. */
      enabled?: boolean;
      /** SPIFFE trust domain. Default cluster.local. */
      trustDomain?: string;
      /** Name of each cell's waypoint Gateway and its service account. Default waypoint. */
      waypointName?: string;
      /** istiod, which waypoints reach for configuration. Default istio-system, app=istiod, 15012. */
      controlPlane?: { namespace?: string; podLabels?: { [key: string]: string }; port?: number };
    };
    /** The shared external Gateway that public HTTP endpoints attach to. */
    gateway?: {
      name?: string;
      namespace?: string;
      /** istio, kgateway, cilium, ... Default istio. */
      className?: string;
      /** Labels of the gateway's pods, for L3/L4 rules. */
      podLabels?: { [key: string]: string };
      /** The gateway pods' principal, <trust-domain>/ns/<ns>/sa/<sa>; never a wildcard. */
      principal?: string;
      /**
       * Where each public endpoint is reached on the shared Gateway: templates over
       * {environment}, {namespace} (the cell's catalog namespace), {cell}, {component}
       * and {endpoint}. Two routes that would shadow each other are an error for the
       * newcomer (the cell that held the route first keeps it).
       */
      routes?: {
        /** The route's hostname, e.g. "{component}-{cell}.apps.example.com". Default: none (every hostname). */
        hostname?: string;
        /**
         * The path prefix, stripped before the request reaches the component.
         * Default /{namespace}/{cell}/{component}/{endpoint}, or / with a hostname.
         */
        pathPrefix?: string;
      };
      /**
       * What the external Gateway is, which decides the front-door objects compiled
       * for public endpoints (docs/front-door.md): istio (default) writes a
       * RequestAuthentication and an AuthorizationPolicy bound to the Gateway;
       * envoy-gateway writes a SecurityPolicy and a BackendTrafficPolicy per route,
       * and is the only one that enforces rateLimit.
       */
      implementation?: 'istio' | 'envoy-gateway';
      /**
       * The identity providers a public endpoint's `auth.provider` may name. Each
       * gives its tokens' issuer and its signing keys, by URL (jwksUri) or inline
       * (jwks, a JSON Web Key Set as a string).
       */
      jwtProviders?: Array<{
        name: string;
        issuer: string;
        jwksUri?: string;
        jwks?: string;
        /** Audiences every token of this provider must carry one of. */
        audiences?: string[];
      }>;
      /**
       * true (default): every public endpoint declares `auth` (a provider, or
       * `none` to stay open on purpose). strict: `auth: none` is refused too.
       * false: a public endpoint without `auth` is open to anyone.
       */
      requireAuthentication?: boolean | 'strict';
    };
    /** Cluster DNS, the one egress every pod keeps. Default kube-system, k8s-app=kube-dns, 53. */
    dns?: { namespace?: string; podLabels?: { [key: string]: string }; port?: number };
    /** generate (default) a Service per component, or bring-your-own with the component's name. */
    services?: 'generate' | 'bring-your-own';
    rbac?: {
      /** Give each cell's owner a Role to deploy workloads into its namespace. Default true. */
      enabled?: boolean;
      rules?: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
      /**
       * Which cell owners may become the subject of the cell's RoleBinding: patterns
       * over the owner's entity ref, `*` for any run of characters, e.g.
       * "group:default/*". The owner must also be a Group or User of the catalog;
       * a system: name never is. Default: every Group and User (a pattern of
       * group: and one of user:, each with * for the namespace and the name).
       */
      subjects?: string[];
    };
    compliance?: {
      /**
       * Every connection and allowFrom grant must carry a `reason` (why the
       * access is needed). Read by the catalog module (a missing reason is a
       * catalog error on the entity) and the CLI. Default false.
       */
      requireReasons?: boolean;
    };
    /** Calls that leave the cluster (docs/egress.md). */
    egress?: {
      /** Platform namespace of the egress waypoint, ServiceEntries and their policies. Default cellplane-egress. */
      namespace?: string;
      /** The egress waypoint Gateway's name (and service account). Default egress. */
      waypointName?: string;
      /** Networks no cell may ever reach, whatever it declares. Default [169.254.169.254/32] (cloud metadata). */
      deny?: string[];
      /**
       * Accept `*.suffix` hosts in spec.egress. Only true when the egress
       * waypoint enforces wildcard hosts (Istio 1.28 or later). Default false.
       */
      wildcardHosts?: boolean;
    };
    /**
     * Shared services outside every cell (docs/egress.md, "Platform services"):
     * a Prometheus that scrapes components' spec.metrics, or a service they
     * call with a `{platform: <name>, port}` egress entry (an OpenTelemetry
     * collector, the Kubernetes API server by address). Default none.
     */
    platform?: {
      services?: Array<{
        /** A DNS label; what components name in scrapedBy or spec.egress[].platform. */
        name: string;
        /** scrapes: it scrapes components' metrics; called: components call it. */
        role: 'scrapes' | 'called';
        /** Where its pods run (with podLabels); leave out for a service reached by address. */
        namespace?: string;
        podLabels?: { [key: string]: string };
        /** Reached by address instead (e.g. the API server's endpoint addresses); called only. */
        cidrs?: string[];
        /** Its pods' principal, <trust-domain>/ns/<ns>/sa/<sa>; required for a scraper with the mesh on. */
        principal?: string;
        /** Instead of principal: its service account in its namespace. */
        serviceAccount?: string;
        /** Ports callers may declare (called only). */
        ports?: number[];
        /** Its pods are in the ambient mesh (default true for a scraper with the mesh on, else false). */
        mesh?: boolean;
      }>;
    };
    /** The cluster's own address ranges: never an egress destination. */
    cluster?: {
      /** Default [10.42.0.0/16] (k3s, OpenChoreo's k3d quick start). */
      podCIDRs?: string[];
      /** Default [10.43.0.0/16]. */
      serviceCIDRs?: string[];
    };
  };
}
