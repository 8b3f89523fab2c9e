import { LoggerService, RootConfigService } from '@backstage/backend-plugin-api';
import { EnvironmentTargetConfig } from '../config';
import { CellTarget } from './types';
import { DirectoryTarget } from './directory';

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
  // Loaded on demand: a portal with only GitOps folders never starts a Kubernetes client.
  const { createKubernetesTarget } = await import('./kubernetes');
  return createKubernetesTarget({ environment, cluster: target.cluster, rootConfig: deps.rootConfig, logger });
}
