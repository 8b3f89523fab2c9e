import { ApiBlueprint, discoveryApiRef, fetchApiRef, PageBlueprint, PluginHeaderActionBlueprint } from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { cellsApiRef } from './api/CellsApi';
import { CellsClient } from './api/CellsClient';
import { CellsIcon } from './components/CellsIcon';
import { portfolioRouteRef, rootRouteRef } from './routes';

export const cellsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: cellsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new CellsClient({ discoveryApi, fetchApi }),
    }),
});

/** `/cells`; a title and icon put it in the sidebar. */
export const cellsPage = PageBlueprint.make({
  params: {
    path: '/cells',
    title: 'Cells',
    icon: <CellsIcon />,
    routeRef: rootRouteRef,
    loader: () => import('./components/CellsPage').then(m => <m.CellsPage />),
  },
});

/** `/cells/portfolio`: a row per cell and environment with its verification and evidence; in the sidebar too. */
export const portfolioPage = PageBlueprint.make({
  name: 'portfolio',
  params: {
    path: '/cells/portfolio',
    title: 'Cells portfolio',
    icon: <CellsIcon />,
    routeRef: portfolioRouteRef,
    loader: () => import('./components/PortfolioPage').then(m => <m.PortfolioPage />),
  },
});

/** "Portfolio" (or back to the graph) in the header of the cells pages. */
export const cellsHeaderLink = PluginHeaderActionBlueprint.make({
  name: 'portfolio-link',
  params: {
    loader: () => import('./components/CellsHeaderLink').then(m => <m.CellsHeaderLink />),
  },
});

/** The "Cell" tab, on Systems that are cells. */
export const cellEntityContent = EntityContentBlueprint.make({
  name: 'cell',
  params: {
    path: 'cell',
    title: 'Cell',
    filter: { kind: 'system', 'spec.cell': { $exists: true } },
    loader: () => import('./components/EntityCellContent').then(m => <m.EntityCellContent />),
  },
});

/** Calls in and out and status, on Components (the card says so when the component is in no cell). */
export const cellEntityCard = EntityCardBlueprint.make({
  name: 'cell',
  params: {
    filter: { kind: 'component', 'spec.system': { $exists: true } },
    loader: () => import('./components/EntityCellCard').then(m => <m.EntityCellCard />),
  },
});
