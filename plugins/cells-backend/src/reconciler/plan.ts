import { CellModel, CellProblem, formatProblem, Holders, holdersOf } from '@cellplane/cells-common';
import type { TargetDescription } from '@cellplane/plugin-cells-node';
import { DesiredCell, isEgressUnit, RemovedCell } from '@cellplane/plugin-cells-node';
import { AppliedCellRecord, GoodCompilation } from '../storage/types';
import { Compiled } from './isolate';
import { ReconcileRequest } from './types';

/**
 * The decisions of a reconcile pass, as pure functions of what the pass
 * knows: which cells to compile, what to hand each target, what to remove.
 * The reconciler (CellsReconciler) does the I/O around them.
 */

/** What the whole pass knows, the same for every environment. */
export interface PassInput {
  model: CellModel;
  /** Validation problems by the cell they hold. */
  held: ReadonlyMap<string, CellProblem[]>;
  /** No pass has run in this process: every cell is compiled and sent. */
  firstPass: boolean;
  /** Cells the pending catalog changes touch, and the one requested. */
  dirty: ReadonlySet<string>;
  request: ReconcileRequest;
  /** Milliseconds since the epoch. */
  now: number;
  /**
   * From when cells this process never saw in the catalog may be removed (a
   * catalog still filling up at start must not look like deletions).
   */
  unseenRemovalAt: number;
}

/** What one environment's target was given, as the reconciler remembers it. */
export interface EnvironmentState {
  environment: string;
  target: TargetDescription;
  /** What the target was last given per cell (outcomes other than error). */
  applied: ReadonlyMap<string, DesiredCell>;
  /** Cells the target may hold: the store's record and the target's own listing. */
  known: ReadonlyMap<string, AppliedCellRecord>;
  /** Last compilations that passed validation and applied. */
  lastGood: ReadonlyMap<string, GoodCompilation>;
  /** Cells seen in this environment by this process. */
  seen: ReadonlySet<string>;
  /** Cells the target holds at an older compilation (held by a problem): compiled again once nothing holds them. */
  stale: ReadonlySet<string>;
}

export interface EnvironmentPlan {
  environment: string;
  /** Cells handed to the target: changed, held, repaired, or all of them on a full or first pass. */
  send: DesiredCell[];
  remove: RemovedCell[];
  /** Absent cells whose removal waits until `unseenRemovalAt`. */
  deferred: string[];
  /** Every cell the target should hold after the pass: sent or unchanged. */
  upsert: DesiredCell[];
  /** Validation and compile problems by the cell they hold. */
  held: Map<string, CellProblem[]>;
  /** Cells held at their last good compilation, with why. */
  heldAt: { cell: DesiredCell; message: string }[];
  /** Cells with problems and no good compilation: nothing is sent. */
  notApplied: { entityRef: string; message: string }[];
  /** Cells compiled afresh this pass. */
  compiled: Set<string>;
  /** Cells to record as applied before they are sent. */
  record: AppliedCellRecord[];
}

/** Cells here: those of the model deployed to this environment. */
const cellsHere = (pass: PassInput, environment: string) => pass.model.cells.filter(c => c.environments.includes(environment));

/**
 * Cells to compile: on a first pass all, then those changes touch, those the
 * target does not hold yet (a failed apply) or holds at an older compilation
 * (a problem held them; whatever removed the problem, they catch up), never
 * those a problem holds now. The compiler is deterministic, so an untouched
 * cell's objects are the ones its target was last given; a full pass still
 * compares them all.
 */
export function cellsToCompile(pass: PassInput, env: EnvironmentState): Set<string> {
  return new Set(
    cellsHere(pass, env.environment)
      .filter(c => (pass.firstPass || pass.dirty.has(c.ref) || !env.applied.has(c.ref) || env.stale.has(c.ref)) && !pass.held.has(c.ref))
      .map(c => c.ref),
  );
}

/**
 * What the cells the target holds already claim: their namespaces and public
 * routes. Of two cells that claim one, the holder keeps it and the newcomer is
 * refused (the core's rule), so a newcomer can neither take a namespace nor
 * freeze the cell that had it. From durable state (the store's record of
 * applied cells and last good compilations), so a restart keeps the holders.
 */
export function holdersOfEnvironment(env: Pick<EnvironmentState, 'environment' | 'applied' | 'known' | 'lastGood'>): Required<Holders> {
  const { environment } = env;
  // What the target was last given overrides an older good compilation of the same cell.
  const byCell = new Map<string, { cell: string; environment: string; namespace: string; objects: DesiredCell['objects'] }>();
  // The egress unit is no cell: the compiler's holders are cells only (it never holds a cell's namespace or route).
  for (const g of env.lastGood.values()) byCell.set(g.entityRef, { cell: g.entityRef, environment, namespace: g.namespace, objects: g.objects });
  for (const a of env.applied.values()) {
    if (!isEgressUnit(a.entityRef)) byCell.set(a.entityRef, { cell: a.entityRef, environment, namespace: a.namespace, objects: a.objects });
  }
  const { namespaceHolders, routeHolders } = holdersOf([...byCell.values()]);
  const namespaces = new Map(namespaceHolders);
  // A recorded cell whose objects this process does not have still holds its namespace.
  for (const k of env.known.values()) {
    if (isEgressUnit(k.entityRef)) continue;
    if (k.namespace && !namespaces.has(k.namespace)) namespaces.set(k.namespace, k.entityRef);
  }
  return { namespaceHolders: namespaces, routeHolders };
}

/** The objects a cell is held at: what its target was last given, or its last good compilation. */
function goodOf(env: EnvironmentState, entityRef: string, cellName: string): DesiredCell | undefined {
  const applied = env.applied.get(entityRef);
  if (applied) return applied;
  const good = env.lastGood.get(entityRef);
  return good && { entityRef, cellName, environment: env.environment, namespace: good.namespace, objects: good.objects };
}

export function planEnvironment(pass: PassInput, env: EnvironmentState, compiled: Compiled): EnvironmentPlan {
  const { environment } = env;
  const here = cellsHere(pass, environment);
  const held = new Map(pass.held);
  const cellOfComponent = new Map(pass.model.components.map(c => [c.ref, c.cell]));
  for (const p of compiled.problems) {
    const cellRef = p.holds ?? cellOfComponent.get(p.entityRef) ?? p.entityRef;
    held.set(cellRef, [...(held.get(cellRef) ?? []), p]);
  }

  const upsert: DesiredCell[] = [];
  const heldAt: EnvironmentPlan['heldAt'] = [];
  const notApplied: EnvironmentPlan['notApplied'] = [];
  for (const cell of here) {
    const fresh = compiled.desired.get(cell.ref);
    const problems = held.get(cell.ref);
    if (fresh && !problems) {
      upsert.push(fresh);
    } else if (problems) {
      const good = goodOf(env, cell.ref, cell.name);
      const why = problems.map(formatProblem).join(' ');
      if (good) {
        upsert.push(good);
        heldAt.push({ cell: good, message: `held at its last good compilation: ${why}` });
      } else notApplied.push({ entityRef: cell.ref, message: `not applied: ${why}` });
    } else {
      const unchanged = env.applied.get(cell.ref);
      if (unchanged) upsert.push(unchanged);
    }
  }

  // Removal from what the target may hold (durable), not from what this process happened to apply.
  const present = new Set(here.map(c => c.ref));
  const candidates = new Map<string, RemovedCell>();
  for (const k of env.known.values()) candidates.set(k.entityRef, { entityRef: k.entityRef, cellName: k.cellName, environment, namespace: k.namespace });
  for (const a of env.applied.values()) {
    if (!candidates.has(a.entityRef)) candidates.set(a.entityRef, { entityRef: a.entityRef, cellName: a.cellName, environment, namespace: a.namespace });
  }
  const remove: RemovedCell[] = [];
  const deferred: string[] = [];
  for (const cell of [...candidates.values()].sort((a, b) => (a.entityRef < b.entityRef ? -1 : 1))) {
    // The egress unit is no catalog cell: planEgress decides its removal.
    if (present.has(cell.entityRef) || isEgressUnit(cell.entityRef)) continue;
    if (env.seen.has(cell.entityRef) || pass.now >= pass.unseenRemovalAt) remove.push(cell);
    else deferred.push(cell.entityRef);
  }

  const repair = new Set((pass.request.repair ?? []).filter(r => r.environment === environment).map(r => r.entityRef));
  const fresh = new Set(compiled.desired.keys());
  const send = upsert.filter(c => pass.request.full || pass.firstPass || fresh.has(c.entityRef) || held.has(c.entityRef) || repair.has(c.entityRef));
  const record = send
    .filter(c => {
      const known = env.known.get(c.entityRef);
      return !known || known.namespace !== c.namespace || known.cellName !== c.cellName;
    })
    .map(c => ({ entityRef: c.entityRef, environment, cellName: c.cellName, namespace: c.namespace }));
  const compiledHere = new Set([...fresh].filter(ref => !held.has(ref)));
  return { environment, send, remove, deferred, upsert, held, heldAt, notApplied, compiled: compiledHere, record };
}

/**
 * The plan without the cells that could not be recorded as applied first:
 * sending them would let a restart forget what they wrote. They wait for the
 * next pass, with the reason.
 */
export function withoutUnrecorded(plan: EnvironmentPlan, reason: string): { plan: EnvironmentPlan; refused: { cell: DesiredCell; message: string }[] } {
  const unrecorded = new Set(plan.record.map(r => r.entityRef));
  const refused = plan.send
    .filter(c => unrecorded.has(c.entityRef))
    .map(cell => ({ cell, message: `not applied: it could not be recorded in the database first (${reason}); the next reconcile retries` }));
  return { plan: { ...plan, send: plan.send.filter(c => !unrecorded.has(c.entityRef)), record: [] }, refused };
}

/**
 * The part of a model whose cells a target holds: what the access diff calls
 * "before". A cell the target holds nothing of (its first apply failed) has
 * no workloads the policies could have protected yet, so it is left out
 * rather than counted as wide open.
 */
export function modelOfCells(model: CellModel, cells: ReadonlySet<string>): CellModel {
  const components = model.components.filter(c => cells.has(c.cell));
  const kept = new Set(components.map(c => c.ref));
  return {
    cells: model.cells.filter(c => cells.has(c.ref)),
    components,
    grants: model.grants.filter(g => kept.has(g.callee) && (g.caller.kind === 'gateway' || kept.has(g.caller.ref))),
  };
}
