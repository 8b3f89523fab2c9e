import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import catalogGraphPlugin from '@backstage/plugin-catalog-graph/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import cellsPlugin from '@cellplane/plugin-cells/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

/**
 * The Cellplane portal: the software catalog (cells are Systems, their
 * services are Components), entity relations, and groups/users.
 */
export default createApp({
  features: [catalogPlugin, catalogGraphPlugin, orgPlugin, scaffolderPlugin, cellsPlugin, navModule, signInModule],
});
