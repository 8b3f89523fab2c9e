import { createElement } from 'react';
import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import { CellsIcon } from './components/CellsIcon';
import { cellEntityCard, cellEntityContent, cellsApi, cellsHeaderLink, cellsPage, portfolioPage } from './extensions';
import { portfolioRouteRef, rootRouteRef } from './routes';

/** Cellplane's cells for the new frontend system: the `/cells` and `/cells/portfolio` pages, the Cell tab and card. */
export default createFrontendPlugin({
  pluginId: 'cells',
  title: 'Cells',
  icon: createElement(CellsIcon),
  routes: { root: rootRouteRef, portfolio: portfolioRouteRef },
  extensions: [cellsApi, cellsPage, portfolioPage, cellsHeaderLink, cellEntityContent, cellEntityCard],
});

export { cellsApiRef } from './api/CellsApi';
/** The template fields (CellsCellPicker, CellsEndpointPicker, CellsConnectionPicker, CellsMethodsPaths, CellsAccessPreview): add next to the scaffolder. */
export { cellsScaffolderFieldsModule } from './scaffolder/extensions';
