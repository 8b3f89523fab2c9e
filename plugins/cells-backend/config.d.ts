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
            /** A cluster name. Not available in this release: the plugin refuses it at start. */
            cluster: string;
          };
    }>;
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
  };
}
