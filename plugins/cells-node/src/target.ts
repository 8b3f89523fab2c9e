import type { LoggerService, RootConfigService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { KubeObject } from '@cellplane/cells-common';

/*
 * What a target reports about the objects it holds. The cells REST API serves
 * these as they are: its OpenAPI document (plugins/cells-backend/src/schema)
 * describes the same shapes, and the backend's type check fails when the two
 * part (src/schema/contract.ts there).
 */

/** The state of one cell in one environment. */
export type CellState = 'in-sync' | 'pending' | 'drifted' | 'degraded' | 'error' | 'not-applied';

/** The state of one desired (or unwanted) object on its target. */
export type ObjectState = 'in-sync' | 'drifted' | 'missing' | 'unwanted' | 'conflict' | 'unavailable' | 'pending';

/** Where an environment's manifests go; targets added by backend modules describe themselves as `{ type, ...details }`. */
export type TargetDescription = { type: 'directory'; path: string } | { type: 'kubernetes'; cluster: string } | { type: string; [detail: string]: string };

/** One Kubernetes object by identity. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** One object of a cell on its target. */
export interface ObjectStatus extends ObjectRef {
  state: ObjectState;
  /** Drift: the managed fields that differ, `path: expected -> actual`. */
  diff?: string[];
  message?: string;
}

/** Every compiled object of one cell in one environment: what the target should hold. */
export interface DesiredCell {
  /** `system:<namespace>/<name>` */
  entityRef: string;
  cellName: string;
  environment: string;
  /** The cell's Kubernetes namespace in this environment. */
  namespace: string;
  /** In apply order; each carries its phase (`cellplane.io/apply-phase`, see `applyPhaseOf`). */
  objects: KubeObject[];
}

/** A cell that left the environment (removed from the catalog, or no longer deployed there). */
export interface RemovedCell {
  entityRef: string;
  cellName: string;
  environment: string;
  /** The namespace it was applied to; empty when only a target's listing knew the cell and named none. */
  namespace: string;
}

/** A cell a target holds objects of, as its own marks say (labels, file headers). */
export interface HeldCell {
  entityRef: string;
  cellName: string;
  namespace?: string;
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

/** The outcome of removing one cell: `removed` once the target holds nothing of it (a namespace aside). */
export interface RemovalOutcome {
  entityRef: string;
  environment: string;
  state: 'removed' | 'error';
  /** What this removal deleted. */
  pruned: ObjectRef[];
  /** Why it failed (empty when removed); the reconciler retries it. */
  message: string;
}

export interface ApplyContext {
  /** One line per entity change (or user request) that caused this apply; a git commit lists them. */
  causes: string[];
  signal?: AbortSignal;
}

export interface ApplyResult {
  /** One outcome per cell of `upsert`. */
  cells: CellOutcome[];
  /** One outcome per cell of `remove`. */
  removed: RemovalOutcome[];
  /** The commit a directory target made, if any. */
  commit?: string;
}

/**
 * Where one environment's manifests go: a GitOps folder, a cluster, or what
 * a backend module adds through `cellsTargetsExtensionPoint`. The reconciler
 * knows targets only through this interface.
 */
export interface CellTarget {
  /** Shown with each cell's status: `{ type, ...details }`. */
  readonly description: TargetDescription;
  /**
   * Whether this target takes the environment's platform egress namespace: a
   * unit under the reserved ref `egressUnitRef(environment)` (cellName
   * `EGRESS_UNIT_NAME`), upserted and removed through `apply` like a cell.
   * A target without it is never handed one.
   */
  readonly appliesEgress?: boolean;
  /** What apply would change for this cell, writing nothing. */
  plan(cell: DesiredCell): Promise<ObjectChangeSet>;
  /**
   * Brings the given cells to their desired objects and removes the removed
   * ones. Objects the target holds that Cellplane did not write are never
   * touched. A cell's failure is its outcome's `error` state, never a throw
   * that takes the other cells with it.
   */
  apply(upsert: DesiredCell[], remove: RemovedCell[], context: ApplyContext): Promise<ApplyResult>;
  /** What the target holds for this cell now, object by object (drift included). */
  observe(cell: DesiredCell): Promise<CellOutcome>;
  /**
   * The cells this target holds objects of, from its own marks. The reconciler
   * removes those the catalog no longer has, even when its database forgot
   * them. Targets that cannot list omit it; the database's record then decides.
   */
  listCells?(): Promise<HeldCell[]>;
  /**
   * Called when the target sees a cell's live objects change (a watch event),
   * so status can follow within seconds. Targets without watches omit it.
   */
  onChange?(listener: (entityRef: string, environment: string) => void): void;
  /** Start/stop watches or other background work. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface CellTargetFactoryOptions {
  /** The environment this target serves. */
  environment: string;
  /** The environment's `target` block (`cells.environments[].target`), its `type` included. */
  config: Config;
  /** The config key of that block, for errors: `cells.environments[2].target`. */
  configKey: string;
  rootConfig: RootConfigService;
  logger: LoggerService;
}

/** Makes the target of one environment; throws naming the config key when its settings are wrong. */
export type CellTargetFactory = (options: CellTargetFactoryOptions) => CellTarget | Promise<CellTarget>;
