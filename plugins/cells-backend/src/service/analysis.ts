import { Entity } from '@backstage/catalog-model';
import {
  CellModel,
  CellsSettings,
  EgressReach,
  Holders,
  KubeObject,
  Simulation,
  assertAnalyzable,
  compareText,
  compileCells,
  createSimulation,
  formatProblem,
  loadCluster,
  ScrapeReach,
} from '@cellplane/cells-common';
import type { CatalogSnapshot } from '../reconciler/CellsReconciler';
import { affectedCells } from '../reconciler/affected';

/** The core's compileCells, or a stand-in (tests inject one that fails for one cell). */
export type CompileCells = typeof compileCells;

/**
 * One environment of one catalog snapshot, ready for the analyzer: every
 * cell's compiled objects, and apart, the cells that cannot be compiled or
 * analysed, with why. `sim` leaves those cells out altogether (their
 * components, grants and objects), so one cell's bad input never fails or
 * skews an answer about another; routes report them instead.
 */
export interface CompiledView {
  sim: Simulation;
  /** Each cell's compiled objects (the same array as last snapshot for a cell not recompiled). */
  objectsOf: Map<string, KubeObject[]>;
  /** Cells that cannot be compiled or analysed here, with why. Analysis can add to it (see `analysable`). */
  failures: Map<string, string>;
  /** True once the whole simulation is known to load into the analyzer. */
  loads?: boolean;
  /** Per component, the hosts and networks outside the cluster the analyzer lets it reach (topology.ts's analysedEgress). */
  egress?: Map<string, EgressReach[]>;
  /** The scrapes of platform services the analyzer admits (topology.ts's analysedScrapes). */
  scrapes?: ScrapeReach[];
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Compiles cells; when compiling them together throws, halves the set until
 * the cells that throw on their own are found (log2 steps per bad cell), so
 * every other cell still compiles.
 */
export function compileIsolated(
  compile: CompileCells,
  model: CellModel,
  settings: CellsSettings,
  environment: string,
  cells: string[],
  holders: Holders = {},
): { objectsOf: Map<string, KubeObject[]>; failures: Map<string, string> } {
  const objectsOf = new Map<string, KubeObject[]>();
  const failures = new Map<string, string>();
  const run = (refs: string[]) => {
    if (refs.length === 0) return;
    try {
      const result = compile(model, settings, { ...holders, environment, cells: new Set(refs) });
      for (const c of result.cells) objectsOf.set(c.cell, c.objects);
      // A cell the compiler refused (a namespace or route another cell holds, names it cannot give
      // its objects) has no objects: it stays out of the analysis, saying why, like a cell that throws.
      const asked = new Set(refs);
      for (const p of result.problems) {
        if (p.holds && asked.has(p.holds) && !objectsOf.has(p.holds) && !failures.has(p.holds))
          failures.set(p.holds, `cannot be compiled: ${formatProblem(p)}`);
      }
    } catch (e) {
      if (refs.length === 1) {
        failures.set(refs[0], `cannot be compiled: ${messageOf(e)}`);
        return;
      }
      const half = Math.ceil(refs.length / 2);
      run(refs.slice(0, half));
      run(refs.slice(half));
    }
  };
  run(cells);
  return { objectsOf, failures };
}

/** The model without these cells, their components and every grant that touches them. */
export function withoutCells(model: CellModel, cells: ReadonlySet<string> | ReadonlyMap<string, unknown>): CellModel {
  if (cells.size === 0) return model;
  const components = model.components.filter(c => !cells.has(c.cell));
  const kept = new Set(components.map(c => c.ref));
  return {
    ...model,
    cells: model.cells.filter(c => !cells.has(c.ref)),
    components,
    grants: model.grants.filter(g => kept.has(g.callee) && (g.caller.kind !== 'component' || kept.has(g.caller.ref))),
  };
}

function simulationOf(model: CellModel, settings: CellsSettings, environment: string, objectsOf: Map<string, KubeObject[]>, failures: Map<string, string>) {
  const objects = model.cells.flatMap(c => (failures.has(c.ref) ? [] : objectsOf.get(c.ref) ?? []));
  const kept = withoutCells(model, failures);
  // The platform egress namespace, compiled from the cells kept (no cell's own objects: none is asked for).
  const egress = compileCells(kept, settings, { environment, cells: new Set() }).egress.flatMap(e => e.objects);
  return createSimulation(kept, settings, environment, [...objects, ...egress]);
}

/**
 * Makes sure the analyzer accepts the view's manifests before a route asks
 * it about them. When the whole environment has problems (e.g. two objects of
 * one name), each cell is loaded on its own with the shared objects: the
 * cells with problems join `failures` and the simulation is rebuilt without
 * them. A problem no single cell has (between cells) still throws.
 */
export function analysable(view: CompiledView, model: CellModel, settings: CellsSettings): Simulation {
  if (view.loads) return view.sim;
  try {
    assertAnalyzable(view.sim.cluster());
  } catch {
    const sim = view.sim;
    const shared = sim.gatewayObjects();
    for (const cell of sim.model.cells.filter(c => c.environments.includes(sim.environment))) {
      const pods = sim.model.components.filter(c => c.cell === cell.ref).map(c => sim.componentPod(c));
      try {
        assertAnalyzable(loadCluster([...(view.objectsOf.get(cell.ref) ?? []), ...pods, ...shared], { trustDomain: settings.mesh.trustDomain }));
      } catch (e) {
        view.failures.set(cell.ref, `cannot be analysed: ${messageOf(e)}`);
      }
    }
    view.sim = simulationOf(model, settings, sim.environment, view.objectsOf, view.failures);
    assertAnalyzable(view.sim.cluster());
  }
  view.loads = true;
  return view.sim;
}

/** Entity refs whose entity is new, gone or another object in `next` (the catalog source replaces changed entities). */
function changedEntities(previous: Map<string, Entity>, next: Map<string, Entity>): string[] {
  const changed = [...next.keys()].filter(ref => previous.get(ref) !== next.get(ref));
  for (const ref of previous.keys()) if (!next.has(ref)) changed.push(ref);
  return changed;
}

const holderKeys = new WeakMap<Holders, string>();

/** The holders as one comparable string (remembered per holders object: the reconciler keeps one until they change). */
export function holdersKey(holders: Holders): string {
  let key = holderKeys.get(holders);
  if (key === undefined) {
    const sorted = (m?: ReadonlyMap<string, string>) => [...(m ?? new Map<string, string>())].sort(([a], [b]) => compareText(a, b));
    key = JSON.stringify([sorted(holders.namespaceHolders), sorted(holders.routeHolders)]);
    holderKeys.set(holders, key);
  }
  return key;
}

/**
 * The view of each environment, compiled incrementally: when only Components
 * changed since the last snapshot, only the cells those changes can touch
 * (affectedCells, the rule the reconciler uses for what it writes) are
 * compiled again, and the others keep their objects (and their failures).
 * Any System change compiles everything, since cells' namespaces (and so
 * clashes between them) come from Systems. The objects equal a full
 * compile's, in the same order.
 */
export class SimulationCache {
  private readonly last = new Map<
    string,
    { snapshot: CatalogSnapshot; holders: string; objectsOf: Map<string, KubeObject[]>; failures: Map<string, string> }
  >();

  constructor(private readonly compile: CompileCells = compileCells) {}

  build(snapshot: CatalogSnapshot, settings: CellsSettings, environment: string, holders: Holders = {}): CompiledView {
    const previous = this.last.get(environment);
    const heldBy = holdersKey(holders);
    let only: Set<string> | undefined;
    // New holders can decide which of two claimants compiles: everything is compiled again.
    if (previous && previous.holders === heldBy) {
      const changed = changedEntities(previous.snapshot.entities, snapshot.entities);
      if (changed.every(ref => ref.startsWith('component:'))) only = affectedCells(changed, [previous.snapshot.model, snapshot.model]);
    }
    const present = snapshot.model.cells.filter(c => c.environments.includes(environment)).map(c => c.ref);
    const fresh = compileIsolated(this.compile, snapshot.model, settings, environment, only ? present.filter(ref => only.has(ref)) : present, holders);
    const objectsOf = new Map<string, KubeObject[]>();
    const failures = new Map<string, string>();
    for (const ref of present) {
      const carried = only !== undefined && !only.has(ref);
      const objects = carried ? previous!.objectsOf.get(ref) : fresh.objectsOf.get(ref);
      const failure = carried ? previous!.failures.get(ref) : fresh.failures.get(ref);
      if (objects) objectsOf.set(ref, objects);
      if (failure) failures.set(ref, failure);
    }
    this.last.set(environment, { snapshot, holders: heldBy, objectsOf, failures });
    // The view's own copy: analysis may add failures to it for this snapshot only.
    const own = new Map(failures);
    return { sim: simulationOf(snapshot.model, settings, environment, objectsOf, own), objectsOf, failures: own };
  }
}
