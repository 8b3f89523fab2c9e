import type { KubeObject, ObjectRef, ObjectStatus, CellState, TargetDescription } from '@cellplane/cells-common';

/** Every compiled object of one cell in one environment: what the target should hold. */
export interface DesiredCell {
  /** `system:<namespace>/<name>` */
  entityRef: string;
  cellName: string;
  environment: string;
  /** The cell's Kubernetes namespace in this environment. */
  namespace: string;
  objects: KubeObject[];
}

/** A cell that left the environment (removed from the catalog, or no longer deployed there). */
export interface RemovedCell {
  entityRef: string;
  cellName: string;
  environment: string;
  namespace: string;
}

/** What applying a cell does, object by object. */
export interface ObjectChangeSet {
  create: ObjectRef[];
  update: ObjectRef[];
  prune: ObjectRef[];
  unchanged: number;
}

/** The outcome of one cell on a target: what changed and what the target now holds. */
export interface CellOutcome {
  entityRef: string;
  environment: string;
  changes: ObjectChangeSet;
  /** in-sync when every desired object is in place; error/degraded with a message otherwise. */
  state: CellState;
  message: string;
  objects: ObjectStatus[];
}

export interface ApplyContext {
  /** One line per entity change (or user request) that caused this apply; a git commit lists them. */
  causes: string[];
  signal?: AbortSignal;
}

export interface ApplyResult {
  cells: CellOutcome[];
  /** The commit a directory target made, if any. */
  commit?: string;
}

/**
 * Where one environment's manifests go: a GitOps folder or a cluster. One
 * module per target kind implements this; the reconciler knows nothing else.
 */
export interface CellTarget {
  readonly description: TargetDescription;
  /** What apply would change for this cell, writing nothing. */
  plan(cell: DesiredCell): Promise<ObjectChangeSet>;
  /**
   * Brings the given cells to their desired objects and removes the removed
   * ones. Objects the target holds that Cellplane did not write are never touched.
   */
  apply(upsert: DesiredCell[], remove: RemovedCell[], context: ApplyContext): Promise<ApplyResult>;
  /** What the target holds for this cell now, object by object (drift included). */
  observe(cell: DesiredCell): Promise<CellOutcome>;
  /**
   * Called when the target sees a cell's live objects change (a watch event),
   * so status can follow within seconds. Targets without watches omit it.
   */
  onChange?(listener: (entityRef: string, environment: string) => void): void;
  /** Start/stop watches or other background work. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
