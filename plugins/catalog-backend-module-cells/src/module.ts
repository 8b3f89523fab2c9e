import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { CellValidationProcessor } from './CellValidationProcessor';
import {
  catalogServiceFetcher,
  firstFound,
  registeredEntityFetcher,
} from './entityFetcher';

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
      async init({ processing, catalog, auth, config, database, logger }) {
        const fetchEntities = firstFound(
          [
            catalogServiceFetcher({ catalog, auth }),
            registeredEntityFetcher({ database }),
          ],
          logger,
        );
        const requireReasons = config.getOptionalBoolean('cells.compliance.requireReasons') ?? false;
        processing.addProcessor(new CellValidationProcessor(fetchEntities, { requireReasons }));
      },
    });
  },
});
