import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { CellTargetFactory } from './target';

/** What a backend module may add to the cells backend's targets. */
export interface CellsTargetsExtensionPoint {
  /**
   * Lets environments use `target: { type, ... }`: the cells backend calls
   * `factory` once per environment whose target has this type, with that
   * environment's target config. `directory` and `kubernetes` are built in;
   * a type added twice fails the backend at start.
   */
  addTargetFactory(type: string, factory: CellTargetFactory): void;
}

/**
 * The cells backend's extension point for targets. A module adds one like this:
 *
 * ```ts
 * export default createBackendModule({
 *   pluginId: 'cells',
 *   moduleId: 'pull-request-target',
 *   register(reg) {
 *     reg.registerInit({
 *       deps: { targets: cellsTargetsExtensionPoint },
 *       async init({ targets }) {
 *         targets.addTargetFactory('pull-request', ({ environment, config, logger }) =>
 *           new PullRequestTarget({ environment, repo: config.getString('repo'), logger }));
 *       },
 *     });
 *   },
 * });
 * ```
 */
export const cellsTargetsExtensionPoint = createExtensionPoint<CellsTargetsExtensionPoint>({
  id: 'cells.targets',
});
