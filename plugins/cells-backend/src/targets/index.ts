import { LoggerService, RootConfigService } from '@backstage/backend-plugin-api';
import { CellsConfigError, EnvironmentTargetConfig } from '../config';
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
  // The Kubernetes target is not part of this release (issue 10): refuse at start rather than write nowhere.
  throw new CellsConfigError(
    `cells.environments[${environment}].target.type`,
    `kubernetes targets are not available in this version of @cellplane/plugin-cells-backend; use type: directory and apply the folder with your GitOps tool`,
  );
}
