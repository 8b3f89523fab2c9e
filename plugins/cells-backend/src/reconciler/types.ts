import { Entity } from '@backstage/catalog-model';
import { CellModel, CellProblem, Holders, KubeObject } from '@cellplane/cells-common';
import { DesiredCell } from '@cellplane/plugin-cells-node';

/** The catalog as last read: the resolved model and the problems that hold cells back. */
export interface CatalogSnapshot {
  model: CellModel;
  /** Validation problems, by the cell they hold at its last good compilation. */
  held: Map<string, CellProblem[]>;
  entities: Map<string, Entity>;
}

export interface ReconcileRequest {
  trigger: 'schedule' | 'catalog-change' | 'api' | 'startup';
  /** Compare every cell with its target, changed or not (repairs drift). */
  full: boolean;
  /** Also reconcile this cell even if nothing changed. */
  entityRef?: string;
  requestedBy?: string;
  /** Cells a target reported drifted since the last pass: sent again, which repairs them. */
  repair?: { entityRef: string; environment: string; drift?: string }[];
}

/**
 * What the service layer asks of the reconciler: the catalog as it read it,
 * what each target was last given, and compilations on demand. Nothing here
 * writes to a target.
 */
export interface CellsReconcilerView {
  /** The catalog snapshot the next pass works from. */
  readonly current: CatalogSnapshot;
  /** True until the first pass has brought the targets to the catalog. */
  readonly neverApplied: boolean;
  /** Reads catalog changes into the snapshot (one sync at a time). */
  syncCatalog(): Promise<void>;
  /** Cells that unreconciled catalog changes touch. */
  pendingCells(): Set<string>;
  /** What the target of an environment was last given for a cell, if anything. */
  appliedCell(entityRef: string, environment: string): DesiredCell | undefined;
  /** The model and objects an environment's target was last brought to, if any pass ran. */
  appliedState(environment: string): { model: CellModel; objects: KubeObject[] } | undefined;
  /**
   * Compiles cells of one environment from the current snapshot. Compile
   * problems come back as problems; a cell the compiler fails on gets a
   * problem of its own and never takes the others with it.
   */
  compile(environment: string, cells: Set<string>): { desired: Map<string, DesiredCell>; problems: CellProblem[] };
  /**
   * The namespaces and public routes the cells applied to an environment
   * hold: of two cells that claim one, the holder keeps it and the newcomer
   * gets the error. Every compilation for that environment passes them.
   */
  holders(environment: string): Holders;
}
