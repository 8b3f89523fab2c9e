import type {
  AttackListQuery,
  AttackListResponse,
  BlastRadiusBody,
  BlastRadiusResponse,
  CellDetail,
  CellListResponse,
  CellPlan,
  HistoryPage,
  KubeObject,
  PreviewBody,
  PreviewResponse,
  ReconcileRun,
  SimulateBody,
  SimulateResponse,
  TopologyResponse,
} from '@cellplane/cells-common';

/**
 * What the REST API serves, behind the router. The router checks credentials,
 * permissions and input shape; this service answers. It throws errors from
 * @backstage/errors: InputError (400, naming the field), NotFoundError (404).
 */
export interface CellsService {
  listCells(): Promise<CellListResponse>;
  /** `entityRef` is `system:<namespace>/<name>`. */
  getCell(entityRef: string): Promise<CellDetail>;
  getManifests(entityRef: string, environment: string): Promise<KubeObject[]>;
  getPlan(entityRef: string, environment: string): Promise<CellPlan>;
  /** Starts a reconcile of one cell or all; resolves with the run id once the run is recorded. */
  requestReconcile(request: { entityRef?: string; requestedBy?: string }): Promise<string>;
  getRun(runId: string): Promise<ReconcileRun>;
  listHistory(query: { entityRef?: string; environment?: string; limit: number; cursor?: string }): Promise<HistoryPage>;
  simulate(body: SimulateBody): Promise<SimulateResponse>;
  topology(environment?: string): Promise<TopologyResponse>;
  /** The same answer serialized (and gzipped on demand) with strong ETags, cached while it does not change. */
  topologyJson?(environment?: string): Promise<{ body: Buffer; etag: string; gzip(): { body: Buffer; etag: string } }>;
  blastRadius(body: BlastRadiusBody): Promise<BlastRadiusResponse>;
  attacks(query: AttackListQuery): Promise<AttackListResponse>;
  /** What new or edited entities would produce (objects per touched cell, access diff); writes nothing. */
  preview(body: PreviewBody): Promise<PreviewResponse>;
  /** The owner entity ref of a cell, for permission decisions; undefined when no such cell. */
  ownerOf(entityRef: string): Promise<string | undefined>;
}
