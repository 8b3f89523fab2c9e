import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { cellsApiRef } from './api/CellsApi';
import { CellsClient } from './api/CellsClient';

/** The `/cells` page's route in legacy apps. */
export const cellsRouteRef = createRouteRef({ id: 'cells' });

/** The portfolio page's route in legacy apps. */
export const cellsPortfolioRouteRef = createRouteRef({ id: 'cells-portfolio' });

/** Cellplane's cells for the legacy frontend system (`createApp` from `@backstage/app-defaults`). */
export const cellsPlugin = createPlugin({
  id: 'cells',
  apis: [
    createApiFactory({
      api: cellsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new CellsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: cellsRouteRef, portfolio: cellsPortfolioRouteRef },
});

/** The cells graph page; mount it with `<Route path="/cells" element={<CellsPage />} />`. */
export const CellsPage = cellsPlugin.provide(
  createRoutableExtension({
    name: 'CellsPage',
    component: () => import('./components/CellsPage').then(m => m.CellsPage),
    mountPoint: cellsRouteRef,
  }),
);

/** The portfolio page; mount it with `<Route path="/cells/portfolio" element={<CellsPortfolioPage />} />`. */
export const CellsPortfolioPage = cellsPlugin.provide(
  createRoutableExtension({
    name: 'CellsPortfolioPage',
    component: () => import('./components/PortfolioPage').then(m => m.PortfolioPage),
    mountPoint: cellsPortfolioRouteRef,
  }),
);

/** The Cell tab of a System that is a cell; put it in an `EntityLayout.Route` with `isCellSystem`. */
export const EntityCellContent = cellsPlugin.provide(
  createComponentExtension({
    name: 'EntityCellContent',
    component: { lazy: () => import('./components/EntityCellContent').then(m => m.EntityCellContent) },
  }),
);

/** A card for a Component in a cell: its calls in and out and its status. */
export const EntityCellCard = cellsPlugin.provide(
  createComponentExtension({
    name: 'EntityCellCard',
    component: { lazy: () => import('./components/EntityCellCard').then(m => m.EntityCellCard) },
  }),
);

/** For legacy entity pages: `<EntitySwitch.Case if={isCellSystem}>`. */
export function isCellSystem(entity: { kind: string; spec?: Record<string, unknown> }): boolean {
  return entity.kind.toLowerCase() === 'system' && entity.spec?.cell !== undefined;
}
