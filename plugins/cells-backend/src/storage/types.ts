import type { AccessDiffView, KubeObject } from '@cellplane/cells-common';
import type { CellState, ChangeCause, HistoryEntry, ObjectRef, ObjectStatus, ReconcileRun, RunCellResult, TargetDescription } from '../schema/types';

/** The status of one cell in one environment, as last reconciled or observed. */
export interface StoredCellStatus {
  entityRef: string;
  environment: string;
  namespace: string;
  target: TargetDescription;
  state: CellState;
  message: string;
  lastReconciledAt?: string;
  objects: ObjectStatus[];
}

/** The last compilation of a cell that passed validation: what the cell is held at when an entity breaks. */
export interface GoodCompilation {
  entityRef: string;
  environment: string;
  namespace: string;
  /** sha256 of the canonical JSON of `objects`. */
  hash: string;
  objects: KubeObject[];
  /** The cell model slice it came from (components, grants), JSON, for access diffs against the next one. */
  model: unknown;
  compiledAt: string;
}

/**
 * A cell Cellplane wrote (or began to write) to an environment's target:
 * recorded before the apply, forgotten once the cell's removal from that
 * target succeeded. What a restart prunes comes from here.
 */
export interface AppliedCellRecord {
  entityRef: string;
  environment: string;
  cellName: string;
  namespace: string;
}

export interface NewHistoryEntry {
  entityRef: string;
  environment: string;
  runId: string;
  summary: string;
  cause: ChangeCause;
  created: ObjectRef[];
  updated: ObjectRef[];
  pruned: ObjectRef[];
  accessDiff: AccessDiffView;
  /** Who made the change, its link (task, pull request, commit) and why, when known (reconciler/attribution.ts). */
  by?: string;
  link?: string;
  reason?: string;
}

/**
 * Everything the cells backend keeps, through Backstage's database service
 * (SQLite embedded, PostgreSQL in production). Runs, statuses and history
 * survive restarts; a run's history rows are written once (idempotent per
 * run, cell and environment), so an interrupted run never duplicates them.
 */
export interface CellsStore {
  /** `owner` is the replica running it (see src/replicas): its heartbeat tells whether the run is alive. */
  createRun(run: { trigger: ReconcileRun['trigger']; requestedBy?: string; entityRef?: string; owner?: string; environment?: string }): Promise<string>;
  finishRun(runId: string, result: { state: 'succeeded' | 'failed'; cells: RunCellResult[]; error?: string }): Promise<void>;
  getRun(runId: string): Promise<ReconcileRun | undefined>;
  /**
   * Marks runs left `running` by a backend that died as failed. With
   * `staleBefore`, only runs whose owner's last heartbeat is older (or that
   * have no owner, or an owner that never beat): a live replica's runs stay.
   * With `owner`, only that replica's runs (its previous start's).
   */
  failAbandonedRuns(reason: string, options?: { staleBefore?: Date; owner?: string }): Promise<number>;

  upsertStatuses(statuses: StoredCellStatus[]): Promise<void>;
  /** `withObjects: false` leaves out the per-object states (empty arrays): for lists that need only the state. */
  listStatuses(filter?: { entityRef?: string; environment?: string; withObjects?: boolean }): Promise<StoredCellStatus[]>;
  deleteStatuses(keys: { entityRef: string; environment: string }[]): Promise<void>;

  saveGoodCompilations(compilations: GoodCompilation[]): Promise<void>;
  getGoodCompilations(filter?: { entityRef?: string; environment?: string }): Promise<GoodCompilation[]>;
  deleteGoodCompilations(keys: { entityRef: string; environment: string }[]): Promise<void>;

  /** Records cells (by entity and environment; a newer record replaces an older one). */
  saveAppliedCells(records: AppliedCellRecord[]): Promise<void>;
  listAppliedCells(filter?: { environment?: string }): Promise<AppliedCellRecord[]>;
  deleteAppliedCells(keys: { entityRef: string; environment: string }[]): Promise<void>;

  /** Adds entries; an entry with the same (runId, entityRef, environment) as an existing one is ignored. */
  addHistory(entries: NewHistoryEntry[]): Promise<void>;
  /** Newest first; `cursor` is the `nextCursor` of the previous page. */
  listHistory(query: { entityRef?: string; environment?: string; limit: number; cursor?: string }): Promise<{ items: HistoryEntry[]; nextCursor?: string }>;
}
