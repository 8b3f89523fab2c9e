import { createApiRef } from '@backstage/frontend-plugin-api';
import type { CellsClient } from './CellsClient';

/**
 * The cells backend's REST API (`/api/cells`), as the frontend sees it: the
 * public methods of CellsClient, whose requests and answers are the types
 * generated from the backend's OpenAPI document (see ./types). Tests put a
 * mock of this behind `cellsApiRef`.
 */
export type CellsApi = { [K in keyof CellsClient]: CellsClient[K] };

export const cellsApiRef = createApiRef<CellsApi>().with({ id: 'plugin.cells.client', pluginId: 'cells' });
