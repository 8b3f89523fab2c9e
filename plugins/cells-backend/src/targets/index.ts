import { LoggerService, RootConfigService } from '@backstage/backend-plugin-api';
import { CellTarget, CellTargetFactory } from '@cellplane/plugin-cells-node';
import { CellsConfigError, EnvironmentTargetConfig, isModuleTarget } from '../config';
import { DirectoryTarget } from './directory';
import { KubernetesTarget, readClusters } from './kubernetes';

export type { CellTarget, DesiredCell, RemovedCell, HeldCell, CellOutcome, RemovalOutcome, ObjectChangeSet, ApplyContext, ApplyResult } from './types';

const BUILT_IN = ['directory', 'kubernetes'];

/**
 * The target types environments may use: the built-in ones and those backend
 * modules add through cellsTargetsExtensionPoint (before the plugin starts).
 */
export class TargetRegistry {
  private readonly factories = new Map<string, CellTargetFactory>();

  /** Adds a type; a built-in type or one added before is refused, so no module silently replaces another's. */
  add(type: string, factory: CellTargetFactory): void {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(type)) {
      throw new Error(`cells target type ${JSON.stringify(type)} must be lowercase letters, digits and dashes`);
    }
    if (BUILT_IN.includes(type) || this.factories.has(type)) {
      throw new Error(`cells target type ${JSON.stringify(type)} is already ${BUILT_IN.includes(type) ? 'built in' : 'added by another module'}`);
    }
    this.factories.set(type, factory);
  }

  /** The types modules added. */
  get moduleTypes(): string[] {
    return [...this.factories.keys()];
  }

  /** One target per environment, by the type its config names. */
  async create(config: EnvironmentTargetConfig, deps: { rootConfig: RootConfigService; logger: LoggerService }): Promise<CellTarget> {
    const { environment, target } = config;
    const key = `cells.environments[${environment}].target`;
    const logger = deps.logger.child({ environment, target: target.type });
    if (isModuleTarget(target)) {
      const factory = this.factories.get(target.type)!;
      return await factory({ environment, config: target.config, configKey: key, rootConfig: deps.rootConfig, logger });
    }
    if (target.type === 'directory') {
      return new DirectoryTarget({ path: target.path, commit: target.commit, environment, logger });
    }
    const clusters = readClusters(deps.rootConfig);
    const load = clusters.get(target.cluster);
    if (!load) {
      const known = [...clusters.keys()];
      throw new CellsConfigError(
        `${key}.cluster`,
        `no cluster named ${JSON.stringify(target.cluster)}; ${
          known.length ? `known clusters: ${known.join(', ')}` : 'no clusters are configured'
        }. Fix: add it to kubernetes.clusterLocatorMethods (type: config) or cells.clusters`,
      );
    }
    return new KubernetesTarget({ cluster: target.cluster, kubeconfig: load(), environment, logger });
  }
}

/** One target per environment: the built-in types, or those of `registry`. */
export function createTarget(
  config: EnvironmentTargetConfig,
  deps: { rootConfig: RootConfigService; logger: LoggerService },
  registry = new TargetRegistry(),
): Promise<CellTarget> {
  return registry.create(config, deps);
}
