import type { CellModel, CellProblem, EvidenceBundle, EvidencePack, Holders, KubeObject } from '@cellplane/cells-common';
import type { CatalogSnapshot } from '../reconciler/CellsReconciler';
import type { DesiredCell } from '../targets/types';
import type {
  AttackListResponse,
  AuditPage,
  VerificationList,
  BlastRadiusBody,
  BlastRadiusResponse,
  CellDetail,
  CellListResponse,
  CellPlan,
  HistoryPage,
  PreviewBody,
  PortfolioResponse,
  PreviewResponse,
  ReconcileRun,
  SimulateBody,
  SimulateResponse,
  RolloutResponse,
  TrafficResponse,
} from '../schema/types';
import type { ServedTopology } from './topology';
import type { RolloutQuery } from './rollout';
import type { TrafficQuery } from './traffic';
import type { PortfolioQuery } from './portfolio';

/**
 * What the caller may do with cells, for one request and one permission
 * (cells.manifest.read or cells.reconcile), decided by the permission
 * framework. The service asks it as soon as it knows which cells a request is
 * about, and before any heavy work.
 */
export interface CellAccess {
  /** Resolves when the caller may act on every one of these cells; otherwise rejects with a NotAllowedError naming one. */
  require(cellRefs: Iterable<string>): Promise<void>;
  /** Which of these cells the caller may act on (one batched decision for all of them). */
  filter(cellRefs: Iterable<string>): Promise<(cellRef: string) => boolean>;
}

/**
 * Every cell allowed, without asking the permission framework: only for code
 * inside the backend acting on its own behalf (tests); routes never use it.
 */
export const unrestrictedCellAccess: CellAccess = {
  require: async () => {},
  filter: async () => () => true,
};

/** `GET /attacks` query, as the router validated it. */
export interface AttackListQuery {
  environment?: string;
  rogue?: string;
  target?: string;
  limit?: number;
}

/** `GET /history` query, as the router validated it. */
export interface HistoryQuery {
  entityRef?: string;
  environment?: string;
  limit: number;
  cursor?: string;
}

/**
 * What the REST API serves, behind the router. The router checks credentials
 * and the request's shape against openapi.yaml; this service resolves what a
 * request is about, asks `read` (cells.manifest.read) before revealing or
 * computing anything about a cell, and answers with the generated types of
 * the contract. It throws errors from @backstage/errors: InputError (400,
 * naming the field), NotAllowedError (403), NotFoundError (404) and
 * ConflictError (409: the cell asked about cannot be compiled or analysed).
 */
export interface CellsService {
  listCells(read: CellAccess): Promise<CellListResponse>;
  /** `entityRef` is `system:<namespace>/<name>`. */
  getCell(entityRef: string, read: CellAccess): Promise<CellDetail>;
  getManifests(entityRef: string, environment: string, read: CellAccess): Promise<KubeObject[]>;
  getPlan(entityRef: string, environment: string, read: CellAccess): Promise<CellPlan>;
  /** The cell's evidence pack (docs/evidence.md), in one environment or (undefined) every configured one it lists. */
  evidence(entityRef: string, environment: string | undefined, read: CellAccess): Promise<EvidencePack>;
  /** The evidence bundle of every cell of an owner, or of all cells; `read` must allow each of them. */
  evidenceBundle(scope: { owner: string } | { all: true }, environment: string | undefined, read: CellAccess): Promise<EvidenceBundle>;
  /** A row per readable cell and environment: verification, last access change, grants without a reason, unused grants, public endpoints without authentication, egress. */
  portfolio(query: PortfolioQuery, read: CellAccess): Promise<PortfolioResponse>;
  /** The cell's stored verification runs over the retention period, newest first (one environment, or all). */
  verifications(entityRef: string, environment: string | undefined, read: CellAccess): Promise<VerificationList>;
  /** The cell's audit trail, newest first, paged. */
  auditTrail(entityRef: string, query: { limit: number; cursor?: string }, read: CellAccess): Promise<AuditPage>;
  /** Starts a reconcile of one cell or all (`reconcile` must allow each); resolves with the run id once the run is recorded. */
  requestReconcile(request: { entityRef?: string; requestedBy?: string }, reconcile: CellAccess): Promise<string>;
  getRun(runId: string, read: CellAccess): Promise<ReconcileRun>;
  listHistory(query: HistoryQuery, read: CellAccess): Promise<HistoryPage>;
  simulate(body: SimulateBody, read: CellAccess): Promise<SimulateResponse>;
  /** The topology serialized (and gzipped on demand) with strong ETags, cached while it does not change. */
  topology(environment: string | undefined, read: CellAccess): Promise<ServedTopology>;
  /** Observed calls of one environment over a window, classified against the catalog and cut to what `read` allows (docs/traffic.md). */
  traffic(query: TrafficQuery, read: CellAccess): Promise<TrafficResponse>;
  /** Per readable cell, the observed calls its enforce-mode manifests would deny (docs/rollout.md). */
  rollout(query: RolloutQuery, read: CellAccess): Promise<RolloutResponse>;
  blastRadius(body: BlastRadiusBody, read: CellAccess): Promise<BlastRadiusResponse>;
  attacks(query: AttackListQuery, read: CellAccess): Promise<AttackListResponse>;
  /** What new or edited entities would produce (objects per touched cell, access diff); writes nothing. */
  preview(body: PreviewBody, read: CellAccess): Promise<PreviewResponse>;
}

/**
 * What the service reads from the reconciler. CellsReconciler has these
 * members; a reconciler with another shape only needs an adapter to this.
 */
export interface ReconcilerReads {
  /** The catalog as last read. */
  readonly current: CatalogSnapshot;
  /** True until the first pass has brought the targets to the catalog. */
  readonly neverApplied: boolean;
  /** Cells that unreconciled catalog changes touch. */
  pendingCells(): Set<string>;
  /** What the target of an environment was last given for a cell, if anything. */
  appliedCell(entityRef: string, environment: string): DesiredCell | undefined;
  /** The model and objects the targets of an environment were last brought to, if any pass ran. */
  appliedState(environment: string): { model: CellModel; objects: KubeObject[] } | undefined;
  /** Reads catalog changes into `current`. */
  syncCatalog(): Promise<void>;
  /** Compiles cells of one environment from `current`. */
  compile(environment: string, cells: Set<string>): { desired: Map<string, DesiredCell>; problems: CellProblem[] };
  /** The namespaces and public routes the applied cells of an environment hold (every compilation passes them). */
  holders(environment: string): Holders;
}
