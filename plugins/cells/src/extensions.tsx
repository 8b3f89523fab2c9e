import { ApiBlueprint, discoveryApiRef, fetchApiRef, PageBlueprint } from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { cellsApiRef } from './api/CellsApi';
import { CellsClient } from './api/CellsClient';
import { CellsIcon } from './components/CellsIcon';
import { rootRouteRef } from './routes';

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
