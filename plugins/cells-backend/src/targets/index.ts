import { LoggerService, RootConfigService } from '@backstage/backend-plugin-api';
import { CellsConfigError, EnvironmentTargetConfig } from '../config';
import { CellTarget } from './types';
import { DirectoryTarget } from './directory';
import { KubernetesTarget, readClusters } from './kubernetes';

export type { CellTarget, DesiredCell, RemovedCell, CellOutcome, ObjectChangeSet, ApplyContext, ApplyResult } from './types';

/** One target per environment, by the kind its config names. */
export async function createTarget(
  config: EnvironmentTargetConfig,
  deps: { rootConfig: RootConfigService; logger: LoggerService },
): Promise<CellTarget> {
  const { environment, target } = config;
  const logger = deps.logger.child({ environment, target: target.type });
  if (target.type === 'directory') {
    return new DirectoryTarget({ path: target.path, commit: target.commit, environment, logger });
  }
  const clusters = readClusters(deps.rootConfig);
  const load = clusters.get(target.cluster);
  if (!load) {
    const known = [...clusters.keys()];
    throw new CellsConfigError(
      `cells.environments[${environment}].target.cluster`,
      `no cluster named ${JSON.stringify(target.cluster)}; ${
        known.length ? `known clusters: ${known.join(', ')}` : 'no clusters are configured'
      }. Fix: add it to kubernetes.clusterLocatorMethods (type: config) or cells.clusters`,
    );
  }
  return new KubernetesTarget({ cluster: target.cluster, kubeconfig: load(), environment, logger });
}
