import { createApiRef } from '@backstage/frontend-plugin-api';
import type {
  AttackListQuery,
  AttackListResponse,
  BlastRadiusBody,
  BlastRadiusResponse,
  CellDetail,
  CellListResponse,
  CellPlan,
  HistoryPage,
  PreviewBody,
  PreviewResponse,
  ReconcileRun,
  SimulateBody,
  SimulateResponse,
  TopologyResponse,
} from '@cellplane/cells-common';

/** The cells backend's REST API (`/api/cells`), as the frontend sees it. */
export interface CellsApi {
  listCells(): Promise<CellListResponse>;
  getCell(entityRef: string): Promise<CellDetail>;
  /** The cell's objects for one environment as YAML (all kinds, one document each). */
  getManifestsYaml(entityRef: string, environment: string): Promise<string>;
  getPlan(entityRef: string, environment: string): Promise<CellPlan>;
  reconcile(entityRef?: string): Promise<{ runId: string }>;
  getRun(runId: string): Promise<ReconcileRun>;
  getHistory(options: { entityRef?: string; cursor?: string; limit?: number }): Promise<HistoryPage>;
  simulate(body: SimulateBody): Promise<SimulateResponse>;
  getTopology(environment?: string): Promise<TopologyResponse>;
  blastRadius(body: BlastRadiusBody): Promise<BlastRadiusResponse>;
  /** Rogue-pod attack presets, narrowed to a rogue pod's cell and a target, at most `limit` (the backend's default: 500). */
  listAttacks(query?: AttackListQuery): Promise<AttackListResponse>;
  /** What new or edited entities would produce (objects per touched cell, access diff); writes nothing. */
  preview(body: PreviewBody): Promise<PreviewResponse>;
}

export const cellsApiRef = createApiRef<CellsApi>().with({ id: 'plugin.cells.client', pluginId: 'cells' });
