import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { addConnectionAction } from './actions/addConnection';
import { addEgressAction } from './actions/addEgress';
import { removeConnectionAction } from './actions/removeConnection';
import { createCellAction } from './actions/createCell';
import { createComponentAction } from './actions/createComponent';
import { previewAction } from './actions/preview';
import { publishLocalAction } from './actions/publishLocal';
import { CellsActionDeps } from './context';

/** Every Cellplane scaffolder action. */
export function cellsActions(deps: CellsActionDeps) {
  return [
    createCellAction(deps),
    createComponentAction(deps),
    addConnectionAction(deps),
    removeConnectionAction(deps),
    addEgressAction(deps),
    previewAction(deps),
    publishLocalAction(deps),
  ];
}

/** Adds the Cellplane actions to the scaffolder. */
export const scaffolderModuleCells = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'cellplane-actions',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, catalog, auth, config }) {
        scaffolder.addActions(...cellsActions({ catalog, auth, config }));
      },
    });
  },
});
