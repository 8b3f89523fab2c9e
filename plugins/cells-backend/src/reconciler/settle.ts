import crypto from 'node:crypto';
import { AccessDiffView, KubeObject } from '@cellplane/cells-common';
import type { ChangeCause, RunCellResult } from '../schema/types';
import { ApplyResult, CellOutcome, changeCount, DesiredCell, isEgressUnit, noChanges, RemovalOutcome, RemovedCell } from '@cellplane/plugin-cells-node';
import { EntityChange } from '../catalog/CatalogCellSource';
import { GoodCompilation, NewHistoryEntry, StoredCellStatus } from '../storage/types';
import { CellDiff } from './isolate';
import { EnvironmentPlan, EnvironmentState, PassInput } from './plan';

/**
 * What a pass records once a target answered, as a pure function of the plan
 * and the answer: statuses, history, good compilations, backoff, and what the
 * reconciler now believes each target holds.
 */

/** First retry of a cell its target failed on, doubling up to the full-pass interval. */
export const FIRST_RETRY_MS = 5_000;

export interface Backoff {
  attempts: number;
  nextAt: number;
}

export function nextBackoff(previous: Backoff | undefined, now: number, fullMs: number): Backoff {
  const attempts = (previous?.attempts ?? 0) + 1;
  return { attempts, nextAt: now + Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), fullMs) };
}

export function hashObjects(objects: KubeObject[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(objects)).digest('hex');
}

/** Every sent cell failed and no removal happened: a target that threw instead of answering. */
export function failedApply(plan: EnvironmentPlan, message: string): ApplyResult {
  return {
    cells: plan.send.map(c => ({ entityRef: c.entityRef, environment: c.environment, changes: noChanges(), state: 'error', message, objects: [] })),
    removed: plan.remove.map(r => ({ entityRef: r.entityRef, environment: r.environment, state: 'error', pruned: [], message })),
  };
}

/** The target's outcome of each sent cell and removal; one it did not report is an error, never a success. */
function outcomesOf(plan: EnvironmentPlan, result: ApplyResult): { cells: CellOutcome[]; removed: RemovalOutcome[] } {
  const missing = 'the target reported no outcome for this cell; the next reconcile retries';
  const cellOutcomes = new Map(result.cells.map(o => [o.entityRef, o]));
  const removalOutcomes = new Map((result.removed ?? []).map(o => [o.entityRef, o]));
  const cells = plan.send.map(
    c =>
      cellOutcomes.get(c.entityRef) ?? {
        entityRef: c.entityRef,
        environment: c.environment,
        changes: noChanges(),
        state: 'error' as const,
        message: missing,
        objects: [],
      },
  );
  const removed = plan.remove.map(
    r => removalOutcomes.get(r.entityRef) ?? { entityRef: r.entityRef, environment: r.environment, state: 'error' as const, pruned: [], message: missing },
  );
  return { cells, removed };
}

/** The cells whose access may have changed: those the target changed, and those removed (the egress unit is no cell). */
export function changedCells(plan: EnvironmentPlan, result: ApplyResult): Map<string, string> {
  const outcomes = outcomesOf(plan, result);
  const cells = outcomes.cells.filter(o => !isEgressUnit(o.entityRef));
  const removed = outcomes.removed.filter(o => !isEgressUnit(o.entityRef));
  const names = new Map([...plan.send, ...plan.remove].map(c => [c.entityRef, c.cellName]));
  const changed = new Map<string, string>();
  cells.filter(o => changeCount(o.changes) > 0).forEach(o => changed.set(o.entityRef, names.get(o.entityRef)!));
  removed.filter(o => o.state === 'removed').forEach(o => changed.set(o.entityRef, names.get(o.entityRef)!));
  return changed;
}

/** The history of a compilation found on the target that no pass recorded. */
export const UNRECORDED = 'found applied but never recorded (a pass stopped between writing the target and recording it)';

export function summarize(changes: CellOutcome['changes'], diff: CellDiff | undefined, repaired: boolean, drift?: string): string {
  const parts = [
    changes.create.length && `${changes.create.length} created`,
    changes.update.length && `${changes.update.length} updated`,
    changes.prune.length && `${changes.prune.length} pruned`,
  ].filter(Boolean);
  const access: string[] = [];
  const view = diff?.diff ?? { added: [], removed: [] };
  if (view.added.length) access.push(`${view.added.length} request${view.added.length === 1 ? '' : 's'} newly allowed`);
  if (view.removed.length) access.push(`${view.removed.length} no longer allowed`);
  if (diff?.error) access.push(`access diff unavailable: ${diff.error}`);
  const what = drift && drift.length > 400 ? `${drift.slice(0, 400)}...` : drift;
  return [repaired ? `repaired drift${what ? ` (${what})` : ''}` : '', parts.join(', '), access.join(', ')].filter(Boolean).join('; ');
}

export interface SettleInput {
  pass: PassInput;
  env: EnvironmentState & {
    failing: ReadonlyMap<string, Backoff>;
    /** Catalog changes of earlier passes that did not reach their cells yet (a failed apply, a held cell). */
    carried: ReadonlyMap<string, EntityChange[]>;
  };
  plan: EnvironmentPlan;
  /** Sent cells the pass withheld (they could not be recorded first). */
  refused: { cell: DesiredCell; message: string }[];
  result: ApplyResult;
  diffs: Map<string, CellDiff>;
  /** The catalog changes this pass reconciles, and the cells each touches. */
  changes: EntityChange[];
  affectedBy: Map<string, Set<string>>;
  runId: string;
  /** ISO time of the pass. */
  at: string;
  fullIntervalMs: number;
}

export interface Settlement {
  results: RunCellResult[];
  statuses: StoredCellStatus[];
  history: NewHistoryEntry[];
  goods: GoodCompilation[];
  /** What the target now holds per cell; undefined: nothing (removed). A cell whose apply failed keeps its entry. */
  applied: Map<string, DesiredCell | undefined>;
  /** Backoff per cell; undefined clears it. */
  failing: Map<string, Backoff | undefined>;
  /** Whether the target may hold a cell at something other than its current compilation (held by a problem, a failed apply). */
  stale: Map<string, boolean>;
  /** The changes still to reach each cell, so its history names them when they do; undefined: none. */
  carried: Map<string, EntityChange[] | undefined>;
  /** Cells removed from the target: forget their record, status and good compilation. */
  forgotten: RemovedCell[];
  /** What became of the egress unit, for the log: it is no cell, so it has no status or history. */
  egress: { level: 'info' | 'error'; message: string }[];
}

const EMPTY_DIFF: AccessDiffView = { added: [], removed: [] };

export function settleEnvironment(input: SettleInput): Settlement {
  const { pass, env, plan, result, diffs, changes, affectedBy, runId, at } = input;
  const { environment } = env;
  const out: Settlement = {
    results: [],
    statuses: [],
    history: [],
    goods: [],
    applied: new Map(),
    failing: new Map(),
    stale: new Map(),
    carried: new Map(),
    forgotten: [],
    egress: [],
  };
  const names = new Map(pass.model.cells.map(c => [c.ref, c.name]));
  const sentByRef = new Map(plan.send.map(c => [c.entityRef, c]));
  const { cells, removed } = outcomesOf(plan, result);
  const changed = changedCells(plan, result);
  const fail = (entityRef: string) => out.failing.set(entityRef, nextBackoff(env.failing.get(entityRef), pass.now, input.fullIntervalMs));
  const relevantTo = (entityRef: string) => {
    const earlier = env.carried.get(entityRef) ?? [];
    const now = pass.firstPass
      ? []
      : changes.filter(c => affectedBy.get(c.entityRef)?.has(entityRef) && !earlier.some(e => e.entityRef === c.entityRef && e.change === c.change));
    return [...earlier, ...now];
  };
  /** A cell held in error this pass: no objects of its own are reported. */
  const errorStatus = (cell: { entityRef: string; namespace: string }, message: string) =>
    out.statuses.push({
      entityRef: cell.entityRef,
      environment,
      namespace: cell.namespace,
      target: env.target,
      state: 'error',
      message,
      lastReconciledAt: at,
      objects: [],
    });
  /** A cell the changes did not reach keeps them for the pass that does; one they reached drops them. */
  const carry = (entityRef: string, reached: boolean) => {
    const relevant = reached ? [] : relevantTo(entityRef);
    out.carried.set(entityRef, relevant.length ? relevant : undefined);
  };
  const causeOf = (entityRef: string): ChangeCause => {
    const relevant = relevantTo(entityRef);
    if (pass.firstPass && !relevant.length) return { kind: 'startup' };
    if (relevant.length) return { kind: 'entity-change', entities: relevant };
    if (pass.request.requestedBy) return { kind: 'user', user: pass.request.requestedBy };
    return { kind: 'drift-repair' };
  };
  const drift = new Map((pass.request.repair ?? []).filter(r => r.environment === environment).map(r => [r.entityRef, r.drift]));

  for (const outcome of cells) {
    const ref = outcome.entityRef;
    const sent = sentByRef.get(ref)!;
    if (isEgressUnit(ref)) {
      settleEgress(out, outcome, sent, () => fail(ref));
      continue;
    }
    const problems = plan.held.get(ref);
    if (!problems) {
      out.statuses.push({
        entityRef: ref,
        environment,
        namespace: sent.namespace,
        target: env.target,
        state: outcome.state,
        message: outcome.message,
        lastReconciledAt: at,
        objects: outcome.objects,
      });
    }
    // A failed apply leaves what the target held before (or part of the new): the cell is sent again next pass.
    if (outcome.state !== 'error') out.applied.set(ref, sent);
    out.stale.set(ref, !!problems || outcome.state === 'error');
    if (outcome.state === 'error' && !problems) fail(ref);
    else out.failing.set(ref, undefined);
    /**
     * A first pass (a restart, a takeover) finding the target already at a
     * compilation the store never recorded: a pass that stopped between
     * writing the target and recording it applied it, so its history is written now.
     */
    let unrecorded = false;
    if (!problems && outcome.state !== 'error' && plan.compiled.has(ref)) {
      const hash = hashObjects(sent.objects);
      const lastGood = env.lastGood.get(ref);
      if (lastGood?.hash !== hash)
        out.goods.push({ entityRef: ref, environment, namespace: sent.namespace, hash, objects: sent.objects, model: null, compiledAt: at });
      unrecorded = pass.firstPass && lastGood !== undefined && lastGood.hash !== hash && !changed.has(ref);
    }
    out.results.push({
      entityRef: ref,
      environment,
      state: problems ? 'error' : outcome.state,
      message: problems ? 'held at its last good compilation' : outcome.message,
      created: outcome.changes.create.length,
      updated: outcome.changes.update.length,
      pruned: outcome.changes.prune.length,
    });
    const cause = causeOf(ref);
    const repaired = !pass.firstPass && relevantTo(ref).length === 0 && !pass.request.requestedBy;
    carry(ref, outcome.state !== 'error' && !problems);
    if ((!changed.has(ref) && !unrecorded) || !names.has(ref)) continue;
    const diff = diffs.get(ref);
    out.history.push({
      entityRef: ref,
      environment,
      runId,
      summary: unrecorded ? UNRECORDED : summarize(outcome.changes, diff, repaired, drift.get(ref)),
      cause,
      created: outcome.changes.create,
      updated: outcome.changes.update,
      pruned: outcome.changes.prune,
      accessDiff: diff?.diff ?? EMPTY_DIFF,
    });
  }

  for (const { cell, message } of plan.heldAt) {
    errorStatus(cell, message);
  }
  for (const n of plan.notApplied) {
    out.results.push({ entityRef: n.entityRef, environment, state: 'error', message: n.message, created: 0, updated: 0, pruned: 0 });
    out.statuses.push({ entityRef: n.entityRef, environment, namespace: '', target: env.target, state: 'not-applied', message: n.message, objects: [] });
  }
  for (const { cell, message } of input.refused) {
    fail(cell.entityRef);
    if (isEgressUnit(cell.entityRef)) {
      out.stale.set(cell.entityRef, true);
      out.egress.push({ level: 'error', message: `the egress namespace ${cell.namespace} of ${environment} was ${message}` });
      continue;
    }
    carry(cell.entityRef, false);
    out.stale.set(cell.entityRef, true);
    out.results.push({ entityRef: cell.entityRef, environment, state: 'error', message, created: 0, updated: 0, pruned: 0 });
    errorStatus(cell, message);
  }

  for (const [i, outcome] of removed.entries()) {
    const cell = plan.remove[i];
    if (isEgressUnit(cell.entityRef)) {
      settleEgressRemoval(out, cell, outcome, () => fail(cell.entityRef));
      continue;
    }
    if (outcome.state !== 'removed') {
      // Still held by the target: remembered, retried with backoff, and said in the run.
      fail(cell.entityRef);
      carry(cell.entityRef, false);
      out.results.push({
        entityRef: cell.entityRef,
        environment,
        state: 'error',
        message: `removal failed: ${outcome.message}`,
        created: 0,
        updated: 0,
        pruned: 0,
      });
      continue;
    }
    // Unseen leaving (the backend was down): the System is gone, or no longer lists this environment.
    const seenLeaving = relevantTo(cell.entityRef).length > 0;
    const cause: ChangeCause = seenLeaving
      ? causeOf(cell.entityRef)
      : { kind: 'entity-change', entities: [{ entityRef: cell.entityRef, change: names.has(cell.entityRef) ? 'updated' : 'removed' }] };
    carry(cell.entityRef, true);
    out.forgotten.push(cell);
    out.applied.set(cell.entityRef, undefined);
    out.failing.set(cell.entityRef, undefined);
    out.history.push({
      entityRef: cell.entityRef,
      environment,
      runId,
      summary: 'cell removed',
      cause,
      created: [],
      updated: [],
      pruned: outcome.pruned,
      accessDiff: diffs.get(cell.entityRef)?.diff ?? EMPTY_DIFF,
    });
  }
  return out;
}

/** The egress unit's outcome: remembered and retried like a cell's, said in the log (no cell status or history). */
function settleEgress(out: Settlement, outcome: CellOutcome, sent: DesiredCell, fail: () => void): void {
  const ref = outcome.entityRef;
  const failed = outcome.state === 'error';
  if (!failed) out.applied.set(ref, sent);
  out.stale.set(ref, failed);
  if (failed) fail();
  else out.failing.set(ref, undefined);
  if (failed) out.egress.push({ level: 'error', message: `the egress namespace ${sent.namespace} of ${sent.environment} was not applied: ${outcome.message}` });
  else if (changeCount(outcome.changes) > 0) {
    const { create, update, prune } = outcome.changes;
    out.egress.push({
      level: 'info',
      message: `the egress namespace ${sent.namespace} of ${sent.environment}: ${create.length} created, ${update.length} updated, ${prune.length} pruned`,
    });
  }
}

function settleEgressRemoval(out: Settlement, cell: RemovedCell, outcome: RemovalOutcome, fail: () => void): void {
  if (outcome.state !== 'removed') {
    fail();
    out.egress.push({ level: 'error', message: `the egress namespace ${cell.namespace} of ${cell.environment} could not be removed: ${outcome.message}` });
    return;
  }
  out.forgotten.push(cell);
  out.applied.set(cell.entityRef, undefined);
  out.failing.set(cell.entityRef, undefined);
  out.egress.push({
    level: 'info',
    message: `the egress namespace ${cell.namespace} of ${cell.environment} was removed (no cell declares an external host): ${outcome.pruned.length} pruned`,
  });
}
