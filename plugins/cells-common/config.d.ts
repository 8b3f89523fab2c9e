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
    };
    /** Cluster DNS, the one egress every pod keeps. Default kube-system, k8s-app=kube-dns, 53. */
    dns?: { namespace?: string; podLabels?: { [key: string]: string }; port?: number };
    /** generate (default) a Service per component, or bring-your-own with the component's name. */
    services?: 'generate' | 'bring-your-own';
    rbac?: {
      /** Give each cell's owner a Role to deploy workloads into its namespace. Default true. */
      enabled?: boolean;
      rules?: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
    };
    compliance?: {
      /**
       * Every connection and allowFrom grant must carry a `reason` (why the
       * access is needed). Read by the catalog module (a missing reason is a
       * catalog error on the entity) and the CLI. Default false.
       */
      requireReasons?: boolean;
    };
  };
}
