import { HumanDuration } from '@backstage/types';

export interface Config {
  /**
   * Cellplane. The compiler's keys (naming, mesh, gateway, ...) are declared by
   * @cellplane/cells-common; these are the cells backend's own.
   */
  cells?: {
    environments?: Array<{
      name: string;
      /**
       * Where this environment's manifests go. Default: a directory target at
       * gitops/<environment> under the backend's working directory.
       */
      target?:
        | {
            type: 'directory';
            /** The environment's folder: one <cell>.yaml per cell and a kustomization.yaml. */
            path?: string;
            /** Commit each change when the folder is in a git work tree. Default false. */
            commit?: boolean;
          }
        | {
            type: 'kubernetes';
            /**
             * A cluster of kubernetes.clusterLocatorMethods (type: config) or of
             * cells.clusters. Unknown names stop the plugin at start.
             */
            cluster: string;
          }
        | {
            /**
             * A target type a backend module adds through
             * cellsTargetsExtensionPoint (@cellplane/plugin-cells-node); the
             * module declares its own keys. Unknown types stop the plugin at start.
             */
            type: string;
          };
    }>;
    /**
     * Clusters from kubeconfig files, for local use. An environment's target
     * `{ type: kubernetes, cluster: NAME }` names one of these or a cluster of
     * kubernetes.clusterLocatorMethods.
     */
    clusters?: Array<{
      /** The name targets use. */
      name: string;
      /** Path of a kubeconfig file, relative to the backend's working directory. */
      kubeconfigPath: string;
      /** The context to use; default: the file's current-context. */
      context?: string;
    }>;
    /**
     * Observed traffic (docs/traffic.md): where it comes from. Each source is
     * read for the window asked; their edges are classified against the catalog.
     */
    traffic?: {
      sources?: Array<
        | {
            /** Istio's metrics (istio_requests_total from waypoints, istio_tcp_* from ztunnel) over Prometheus's HTTP API. */
            type: 'prometheus';
            /** Prometheus's base URL, e.g. http://prometheus.monitoring:9090 */
            url: string;
            /**
             * Sent with every query, e.g. Authorization.
             * @visibility secret
             */
            headers?: { [name: string]: string };
            /** The finest step of a range query: at least twice the scrape interval. Default { minutes: 1 }. */
            resolution?: { milliseconds?: number; seconds?: number; minutes?: number; hours?: number; days?: number };
          }
        | {
            type: 'hubble';
            /** A `hubble observe -o jsonpb` export (one JSON object per line), relative to the backend's working directory. */
            file: string;
          }
        | {
            type: 'hubble';
            /** host:port of Hubble Relay's Observer API (plaintext gRPC), e.g. hubble-relay.kube-system:80 */
            relay: string;
          }
      >;
    };
    permissions?: {
      /**
       * Groups whose members may reconcile every cell, read by the Cellplane
       * portal's permission policy (owners of a cell may always reconcile it).
       */
      adminGroups?: string[];
    };
    reconcile?: {
      /** How often the catalog is checked for changed cell entities (etags only). Default { seconds: 5 }. */
      catalogPollInterval?: HumanDuration;
      /** How often every cell is compared with its target and repaired. Default { minutes: 5 }. */
      fullInterval?: HumanDuration;
    };
    /**
     * Backend replicas sharing one database (docs/scale.md): each beats a
     * heartbeat; a replica whose heartbeat is stale is gone, its running
     * reconciles are failed and the environments it held are taken over.
     */
    replicas?: {
      /** This replica's id (letters, digits, . _ : -). Default: host name and a random suffix, new at every start. */
      id?: string;
      /** How often this replica beats. Default { seconds: 5 }. */
      heartbeatInterval?: HumanDuration;
      /** How old a heartbeat may be before its replica counts as gone; at least twice heartbeatInterval. Default { seconds: 30 }. */
      staleAfter?: HumanDuration;
    };
    /**
     * The worker threads that run the heavy analysis (compliance, blast
     * radius, simulation, the topology build, preview) off the event loop
     * (docs/scale.md).
     */
    workers?: {
      /**
       * How many worker threads. 0 runs the analysis on the event loop.
       * Default: one fewer than the CPU cores, at most 2.
       */
      size?: number;
    };
    compliance?: {
      /** Continuous verification (docs/evidence.md): each cell verified on a schedule and after each change, results kept. */
      verification?: {
        /**
         * How often every cell of every environment is verified: an ISO 8601
         * duration (P1D, PT6H) or { hours: 6 }. Default P1D.
         */
        frequency?: string | HumanDuration;
        /** How long verification results and audit events are kept, in days; older ones are pruned. Default 400. */
        retentionDays?: number;
      };
    };
    /** Bounds of the cells backend's caches, in memory (docs/scale.md). */
    caches?: {
      /**
       * The serialized topology answers of every environment and snapshot
       * (JSON and gzip), least recently asked evicted first. Default 256.
       */
      topologyAnswersMiB?: number;
    };
  };
  /**
   * The same shape as Backstage's Kubernetes plugin, so a portal names each
   * cluster once. Cellplane reads only entries of type `config`.
   */
  kubernetes?: {
    clusterLocatorMethods?: Array<{
      type: string;
      clusters?: Array<{
        name: string;
        /** The API server URL, e.g. https://10.0.0.1:6443 */
        url: string;
        /**
         * Cellplane applies with its own service account
         * (deploy/cells-backend-rbac.yaml), so a cluster it targets needs
         * serviceAccount; clusters with other providers may exist for the
         * Kubernetes plugin as long as no cells target names them.
         */
        authProvider?: string;
        /** @visibility secret */
        serviceAccountToken?: string;
        /** Base64 PEM of the cluster CA. */
        caData?: string;
        /** Path of the cluster CA file (instead of caData). */
        caFile?: string;
        /** Skip TLS verification: throwaway clusters only. */
        skipTLSVerify?: boolean;
      }>;
    }>;
  };
}
