import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import catalogGraphPlugin from '@backstage/plugin-catalog-graph/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import cellsPlugin, { cellsScaffolderFieldsModule } from '@cellplane/plugin-cells/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

/**
 * The Cellplane portal: the software catalog (cells are Systems, their
 * services are Components), entity relations, groups/users, the cells graph,
 * and the create page, whose Cellplane templates use the cells fields
 * (cell and endpoint pickers, methods/paths editor, access preview).
 */
export default createApp({
  features: [catalogPlugin, catalogGraphPlugin, orgPlugin, scaffolderPlugin, cellsPlugin, cellsScaffolderFieldsModule, navModule, signInModule],
});
