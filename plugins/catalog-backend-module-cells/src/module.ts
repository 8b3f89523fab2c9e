import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint, catalogServiceRef } from '@backstage/plugin-catalog-node';
import { modelOptions, readCellsSettings } from '@cellplane/cells-common';
import { CellValidationProcessor } from './CellValidationProcessor';
import { catalogServiceFetcher, firstFound, registeredEntityFetcher } from './entityFetcher';

/**
 * Catalog module that validates Cellplane cells: every problem in a cell System
 * or cell Component becomes a catalog processing error on that entity.
 */
export const catalogModuleCells = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'cells',
  register(reg) {
    reg.registerInit({
      deps: {
        processing: catalogProcessingExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        database: coreServices.database,
        logger: coreServices.logger,
      },
      async init({ processing, catalog, auth, database, logger, config }) {
        // The compiler's settings (cells: in app-config): which names a cell's objects reserve, which owners
        // may become RBAC subjects, whether grants need reasons. A bad setting stops the module here, as it stops the cells backend.
        const settings = readCellsSettings(config.getOptional('cells'));
        const fetchEntities = firstFound([catalogServiceFetcher({ catalog, auth }), registeredEntityFetcher({ database })], logger);
        processing.addProcessor(
          new CellValidationProcessor(fetchEntities, {
            ...modelOptions(settings),
            requireReasons: settings.compliance.requireReasons,
          }),
        );
      },
    });
  },
});
