import { ConflictError } from '@backstage/errors';
import { CellsSettings, ComponentProtection, Holders, Simulation, VerifyReport } from '@cellplane/cells-common';
import type { CatalogSnapshot } from '../reconciler/types';
import { CompileCells, CompiledView, SimulationCache, analysable, holdersKey } from './analysis';
import { RolloutViews } from './rollout';
import { ProtectionCache, verifyCellOnce } from './views';

/** One environment of one catalog snapshot, compiled for the analyzer. */
export interface EnvironmentView extends CompiledView {
  /** holdersKey of the reconciler's holders it was compiled with (a pass that applies cells may change them). */
  holders: string;
  protection?: Map<string, ComponentProtection>;
}

/**
 * The analysis state of the cells backend: per catalog snapshot and
 * environment the compiled view (compiled incrementally across snapshots),
 * each component's protection and each cell's verification. The same class
 * answers on the main thread (no worker pool) and inside each worker
 * (workers/worker.ts), so both give the same answers.
 */
export class Analyst {
  private readonly views = new WeakMap<CatalogSnapshot, Map<string, EnvironmentView>>();
  private readonly verified = new WeakMap<Simulation, Map<string, { report: VerifyReport; at: string }>>();
  /** Protection per cell, kept across catalog snapshots while a cell's compiled objects stay the same. */
  private readonly protections = new ProtectionCache();
  /** Compiles only the cells a catalog change touches, and sets apart the cells that do not compile. */
  private readonly simulations: SimulationCache;
  /** The enforce-mode compile per snapshot and environment that `GET /rollout` judges observed calls against. */
  readonly rollouts: RolloutViews;

  constructor(readonly settings: CellsSettings, compile?: CompileCells) {
    this.simulations = new SimulationCache(compile);
    this.rollouts = new RolloutViews(compile);
  }

  /** The analysis view of a catalog snapshot in one environment, built once per snapshot and holders. */
  view(snapshot: CatalogSnapshot, environment: string, holders: Holders): EnvironmentView {
    let byEnv = this.views.get(snapshot);
    if (!byEnv) {
      byEnv = new Map();
      this.views.set(snapshot, byEnv);
    }
    let view = byEnv.get(environment);
    const key = holdersKey(holders);
    if (!view || view.holders !== key) {
      view = { ...this.simulations.build(snapshot, this.settings, environment, holders), holders: key };
      byEnv.set(environment, view);
    }
    return view;
  }

  /** Each analysed component's protection; cells the analyzer refuses join the view's failures. */
  protectionOf(view: EnvironmentView): Map<string, ComponentProtection> {
    if (!view.protection) {
      const { protection, failures } = this.protections.of(view.sim);
      failures.forEach((message, ref) => view.failures.set(ref, message));
      view.protection = protection;
    }
    return view.protection;
  }

  /** The view's simulation once the analyzer accepts it; a cell asked about that it had to leave out is a 409. */
  analysis(snapshot: CatalogSnapshot, view: EnvironmentView, environment: string, cells: (string | undefined)[]): Simulation {
    const sim = analysable(view, snapshot.model, this.settings);
    refuseFailed(view, environment, cells);
    return sim;
  }

  /** The cell's verification, once per simulation (minutes for a whole environment at 5,000 components; seconds per cell). */
  verification(sim: Simulation, cell: string) {
    return verifyCellOnce(this.verified, sim, cell);
  }
}

/** A cell asked about that the view had to leave out: 409 saying why. */
export function refuseFailed(view: CompiledView, environment: string, cells: (string | undefined)[]): void {
  for (const cell of cells) {
    const failure = cell && view.failures.get(cell);
    if (failure) throw new ConflictError(`${cell} ${failure} (in ${environment}); fix its entities first`);
  }
}
