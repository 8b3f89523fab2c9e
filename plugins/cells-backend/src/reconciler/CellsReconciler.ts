import crypto from 'node:crypto';
import { Duration } from 'luxon';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AccessDiffView,
  CellModel,
  CellProblem,
  ChangeCause,
  KubeObject,
  RunCellResult,
  buildCellModel,
  compileCells,
  diffAccess,
  formatProblem,
} from '@cellplane/cells-common';
import { CellsBackendConfig } from '../config';
import { CatalogCellSource, EntityChange } from '../catalog/CatalogCellSource';
import { CellsStore, GoodCompilation, NewHistoryEntry, StoredCellStatus } from '../storage/types';
import { CellOutcome, CellTarget, DesiredCell, RemovedCell } from '../targets/types';
import { affectedCells, affectedCellsByEntity, cellOfProblem } from './affected';

/** The catalog as last read: the resolved model and the problems that hold cells back. */
export interface CatalogSnapshot {
  model: CellModel;
  /** Validation and compile problems, by the cell they hold at its last good compilation. */
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

/** First retry of a cell its target failed on, doubling up to the full-pass interval. */
const FIRST_RETRY_MS = 5_000;

const key = (entityRef: string, environment: string) => `${environment}|${entityRef}`;

function hashObjects(objects: KubeObject[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(objects)).digest('hex');
}

function describeChanges(changes: EntityChange[]): string[] {
  return changes.map(c => `${c.entityRef} ${c.change}`);
}

function summarize(outcome: CellOutcome, diff: AccessDiffView, repaired: boolean, drift?: string): string {
  const c = outcome.changes;
  const parts = [
    c.create.length && `${c.create.length} created`,
    c.update.length && `${c.update.length} updated`,
    c.prune.length && `${c.prune.length} pruned`,
  ].filter(Boolean);
  const access = [
    diff.added.length && `${diff.added.length} request${diff.added.length === 1 ? '' : 's'} newly allowed`,
    diff.removed.length && `${diff.removed.length} no longer allowed`,
  ].filter(Boolean);
  const what = drift && drift.length > 400 ? `${drift.slice(0, 400)}...` : drift;
  return [repaired ? `repaired drift${what ? ` (${what})` : ''}` : '', parts.join(', '), access.join(', ')].filter(Boolean).join('; ');
}

/**
 * Catalog -> compile -> targets, one pass at a time. Keeps what each target
 * was last given per cell, recompiles only the cells that the catalog changes
 * touch, and records every policy change with its access diff and cause.
 */
export class CellsReconciler {
  private snapshot: CatalogSnapshot = { model: { cells: [], components: [], grants: [] }, held: new Map(), entities: new Map() };
  /** Entity changes read from the catalog and not yet reconciled. */
  private pending: EntityChange[] = [];
  /** The model the targets were last brought to. */
  private appliedModel: CellModel | undefined;
  /** What each target was last given, per cell and environment. */
  private readonly applied = new Map<string, DesiredCell>();
  /** Last compilations that passed validation (also in the store, for restarts). */
  private readonly lastGood = new Map<string, GoodCompilation>();
  /** Cells whose last apply failed on the target (a cluster away, a 403): retried with backoff. */
  private readonly failing = new Map<string, { attempts: number; nextAt: number }>();
  private busy = false;
  private loaded = false;
  private syncing: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      source: CatalogCellSource;
      config: CellsBackendConfig;
      targets: Map<string, CellTarget>;
      store: CellsStore;
      logger: LoggerService;
    },
  ) {}

  get current(): CatalogSnapshot {
    return this.snapshot;
  }

  /** True until the first pass has brought the targets to the catalog. */
  get neverApplied(): boolean {
    return this.appliedModel === undefined;
  }

  /** True while a pass runs: live observations then see a half-applied cell. */
  get running(): boolean {
    return this.busy;
  }

  /** True when a cell that failed on its target is due for another try. */
  retryDue(now = Date.now()): boolean {
    return [...this.failing.values()].some(f => f.nextAt <= now);
  }

  /** Cells that unreconciled catalog changes touch. */
  pendingCells(): Set<string> {
    return affectedCells(
      this.pending.map(c => c.entityRef),
      [this.appliedModel, this.snapshot.model],
    );
  }

  /** What the target was last given for a cell, if anything. */
  appliedCell(entityRef: string, environment: string): DesiredCell | undefined {
    return this.applied.get(key(entityRef, environment));
  }

  /** The model and objects the targets of an environment were last brought to, if any pass ran. */
  appliedState(environment: string): { model: CellModel; objects: KubeObject[] } | undefined {
    if (!this.appliedModel) return undefined;
    const objects = [...this.applied.values()].filter(c => c.environment === environment).flatMap(c => c.objects);
    return { model: this.appliedModel, objects };
  }

  /** Reads catalog changes into the snapshot (one sync at a time). */
  async syncCatalog(): Promise<void> {
    if (!this.syncing) {
      this.syncing = (async () => {
        const changes = await this.deps.source.sync();
        if (changes.length > 0 || this.snapshot.entities.size === 0) {
          this.pending.push(...changes);
          this.snapshot = this.buildSnapshot();
        }
      })().finally(() => {
        this.syncing = undefined;
      });
    }
    return this.syncing;
  }

  private buildSnapshot(): CatalogSnapshot {
    const entities = this.deps.source.all();
    const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
    const settings = this.deps.config.settings;
    const { model, problems } = buildCellModel(entities, {
      defaultEnvironments: settings.defaultEnvironments,
      knownEnvironments: settings.environments.map(e => e.name),
    });
    const held = new Map<string, CellProblem[]>();
    for (const problem of problems) {
      const cell = cellOfProblem(problem, byRef);
      if (!cell) continue;
      held.set(cell, [...(held.get(cell) ?? []), problem]);
    }
    return { model, held, entities: byRef };
  }

  /** Compiles cells of one environment; compile problems hold their cells too. */
  compile(environment: string, cells: Set<string>): { desired: Map<string, DesiredCell>; problems: CellProblem[] } {
    const result = compileCells(this.snapshot.model, this.deps.config.settings, { environment, cells });
    const desired = new Map<string, DesiredCell>();
    for (const c of result.cells) {
      desired.set(c.cell, { entityRef: c.cell, cellName: c.cellName, environment, namespace: c.namespace, objects: c.objects });
    }
    return { desired, problems: result.problems };
  }

  private async loadState(): Promise<void> {
    if (this.loaded) return;
    for (const good of await this.deps.store.getGoodCompilations()) {
      this.lastGood.set(key(good.entityRef, good.environment), good);
    }
    this.loaded = true;
  }

  /** Runs one reconcile; passes never overlap within this instance (the scheduler keeps instances apart). */
  reconcile(request: ReconcileRequest, runId: string): Promise<RunCellResult[]> {
    const next = this.queue.then(async () => {
      this.busy = true;
      try {
        return await this.reconcileNow(request, runId);
      } finally {
        this.busy = false;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reconcileNow(request: ReconcileRequest, runId: string): Promise<RunCellResult[]> {
    await this.loadState();
    await this.syncCatalog();
    const snapshot = this.snapshot;
    const changes = [...this.pending];
    const firstPass = this.appliedModel === undefined;
    const affectedBy = affectedCellsByEntity(changes.map(c => c.entityRef), [this.appliedModel, snapshot.model]);
    const dirty = new Set<string>();
    affectedBy.forEach(cells => cells.forEach(c => dirty.add(c)));
    if (request.entityRef) dirty.add(request.entityRef);
    const results: RunCellResult[] = [];
    const statuses: StoredCellStatus[] = [];
    const goods: GoodCompilation[] = [];
    const history: NewHistoryEntry[] = [];
    const nextApplied = new Map<string, DesiredCell>();
    const removedStatuses: { entityRef: string; environment: string }[] = [];

    for (const { environment, target: targetConfig } of this.deps.config.targets) {
      const target = this.deps.targets.get(environment)!;
      const here = snapshot.model.cells.filter(c => c.environments.includes(environment));
      const toCompile = new Set(
        // A full pass recompiles nothing the catalog did not change: the compiler is deterministic, so an
        // untouched cell's objects are the ones it was last given; the target still compares them all.
        here.filter(c => (firstPass || dirty.has(c.ref) || !this.applied.has(key(c.ref, environment))) && !snapshot.held.has(c.ref)).map(c => c.ref),
      );
      const { desired, problems } = this.compile(environment, toCompile);
      const held = new Map(snapshot.held);
      const cellOfComponent = new Map(snapshot.model.components.map(c => [c.ref, c.cell]));
      for (const p of problems) {
        const cellRef = cellOfComponent.get(p.entityRef) ?? p.entityRef;
        held.set(cellRef, [...(held.get(cellRef) ?? []), p]);
      }

      const upsert: DesiredCell[] = [];
      const notApplied: { entityRef: string; message: string; namespace: string }[] = [];
      for (const cell of here) {
        const k = key(cell.ref, environment);
        const fresh = desired.get(cell.ref);
        if (fresh) {
          upsert.push(fresh);
          continue;
        }
        const problemsOfCell = held.get(cell.ref);
        if (problemsOfCell) {
          const good = this.applied.get(k) ?? this.fromGood(this.lastGood.get(k), cell.name);
          const message = `held at its last good compilation: ${problemsOfCell.map(formatProblem).join(' ')}`;
          if (good) {
            upsert.push(good);
            statuses.push(this.heldStatus(good, targetConfig, message));
          } else notApplied.push({ entityRef: cell.ref, namespace: '', message: `not applied: ${problemsOfCell.map(formatProblem).join(' ')}` });
          continue;
        }
        const unchanged = this.applied.get(k);
        if (unchanged) upsert.push(unchanged);
      }
      const present = new Set(here.map(c => c.ref));
      const remove: RemovedCell[] = [];
      for (const [k, cell] of this.applied) {
        if (cell.environment === environment && !present.has(cell.entityRef)) {
          remove.push({ entityRef: cell.entityRef, cellName: cell.cellName, environment, namespace: cell.namespace });
          removedStatuses.push({ entityRef: cell.entityRef, environment });
          this.lastGood.delete(k);
          this.failing.delete(k);
        }
      }

      // Only the cells that changed, or all on a full pass, go to the target.
      const repair = new Map((request.repair ?? []).filter(r => r.environment === environment).map(r => [r.entityRef, r.drift]));
      const changedUpserts = upsert.filter(
        c => request.full || firstPass || toCompile.has(c.entityRef) || held.has(c.entityRef) || repair.has(c.entityRef),
      );
      const causes = changes.length ? describeChanges(changes) : [this.requestCause(request)];
      const result = await target.apply(changedUpserts, remove, { causes });
      const hereByRef = new Map(here.map(c => [c.ref, c]));
      const sentByRef = new Map(changedUpserts.map(c => [c.entityRef, c]));

      const before = this.appliedModel;
      const changedCells = new Set(
        result.cells.filter(o => o.changes.create.length + o.changes.update.length + o.changes.prune.length > 0).map(o => o.entityRef),
      );
      remove.forEach(r => changedCells.add(r.entityRef));
      let diff: AccessDiffView = { added: [], removed: [] };
      if (before && changedCells.size > 0) {
        const beforeObjects = [...this.applied.values()].filter(c => c.environment === environment).flatMap(c => c.objects);
        diff = diffAccess(
          { model: before, settings: this.deps.config.settings, objects: beforeObjects },
          { model: snapshot.model, settings: this.deps.config.settings, objects: upsert.flatMap(c => c.objects) },
          { environment, cells: [...changedCells] },
        );
      }

      for (const outcome of result.cells) {
        const cell = hereByRef.get(outcome.entityRef);
        const k = key(outcome.entityRef, environment);
        const sent = sentByRef.get(outcome.entityRef)!;
        const problemsOfCell = held.get(outcome.entityRef);
        if (!problemsOfCell) {
          statuses.push({
            entityRef: outcome.entityRef,
            environment,
            namespace: sent.namespace,
            target: target.description,
            state: outcome.state,
            message: outcome.message,
            lastReconciledAt: new Date().toISOString(),
            objects: outcome.objects,
          });
        }
        if (outcome.state !== 'error') nextApplied.set(k, sent);
        if (outcome.state === 'error' && !problemsOfCell) {
          const attempts = (this.failing.get(k)?.attempts ?? 0) + 1;
          const fullMs = Duration.fromObject(this.deps.config.fullReconcileInterval).toMillis();
          this.failing.set(k, { attempts, nextAt: Date.now() + Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), fullMs) });
        } else this.failing.delete(k);
        if (!problemsOfCell && outcome.state !== 'error' && toCompile.has(outcome.entityRef)) {
          const hash = hashObjects(sent.objects);
          if (this.lastGood.get(k)?.hash !== hash) {
            const good = { entityRef: outcome.entityRef, environment, namespace: sent.namespace, hash, objects: sent.objects, model: null, compiledAt: new Date().toISOString() };
            goods.push(good);
            this.lastGood.set(k, good);
          }
        }
        results.push({
          entityRef: outcome.entityRef,
          environment,
          state: problemsOfCell ? 'error' : outcome.state,
          message: problemsOfCell ? `held at its last good compilation` : outcome.message,
          created: outcome.changes.create.length,
          updated: outcome.changes.update.length,
          pruned: outcome.changes.prune.length,
        });
        if (!changedCells.has(outcome.entityRef) || !cell) continue;
        const cellDiff = this.diffOfCell(diff, cell.name);
        const relevant = firstPass ? [] : changes.filter(c => affectedBy.get(c.entityRef)?.has(outcome.entityRef));
        const repaired = !firstPass && relevant.length === 0 && !request.requestedBy;
        let cause: ChangeCause;
        if (firstPass) cause = { kind: 'startup' };
        else if (relevant.length) cause = { kind: 'entity-change', entities: relevant };
        else if (request.requestedBy) cause = { kind: 'user', user: request.requestedBy };
        else cause = { kind: 'drift-repair' };
        history.push({
          entityRef: outcome.entityRef,
          environment,
          runId,
          summary: summarize(outcome, cellDiff, repaired, repair.get(outcome.entityRef)),
          cause,
          created: outcome.changes.create,
          updated: outcome.changes.update,
          pruned: outcome.changes.prune,
          accessDiff: cellDiff,
        });
      }
      for (const r of remove) {
        history.push({
          entityRef: r.entityRef,
          environment,
          runId,
          summary: 'cell removed',
          cause: changes.length ? { kind: 'entity-change', entities: changes.filter(c => c.entityRef === r.entityRef) } : { kind: 'drift-repair' },
          created: [],
          updated: [],
          pruned: [],
          accessDiff: this.diffOfCell(diff, r.cellName),
        });
      }
      for (const n of notApplied) {
        results.push({ entityRef: n.entityRef, environment, state: 'error', message: n.message, created: 0, updated: 0, pruned: 0 });
        statuses.push({ entityRef: n.entityRef, environment, namespace: n.namespace, target: target.description, state: 'not-applied', message: n.message, objects: [] });
      }
      // Cells this pass did not send keep what they were given.
      for (const [k, cell] of this.applied) {
        if (cell.environment === environment && present.has(cell.entityRef) && !nextApplied.has(k) && !sentByRef.has(cell.entityRef)) {
          nextApplied.set(k, cell);
        }
      }
    }

    await this.deps.store.saveGoodCompilations(goods);
    await this.deps.store.addHistory(history);
    await this.deps.store.upsertStatuses(statuses);
    if (removedStatuses.length) {
      await this.deps.store.deleteStatuses(removedStatuses);
      await this.deps.store.deleteGoodCompilations(removedStatuses);
    }
    this.applied.clear();
    nextApplied.forEach((v, k) => this.applied.set(k, v));
    this.appliedModel = snapshot.model;
    // Changes read while this pass ran stay pending for the next one.
    this.pending = this.pending.slice(changes.length);
    return results;
  }

  private requestCause(request: ReconcileRequest): string {
    if (request.requestedBy) return `reconcile requested by ${request.requestedBy}`;
    return request.full ? 'periodic full reconcile' : 'reconcile';
  }

  private diffOfCell(diff: AccessDiffView, cellName: string): AccessDiffView {
    const inCell = (c: { from: string; to: string }) => c.to.startsWith(`${cellName}/`) || c.from.startsWith(`${cellName}/`) || c.from === `rogue:${cellName}`;
    return { added: diff.added.filter(inCell), removed: diff.removed.filter(inCell) };
  }

  private fromGood(good: GoodCompilation | undefined, cellName: string): DesiredCell | undefined {
    return good && { entityRef: good.entityRef, cellName, environment: good.environment, namespace: good.namespace, objects: good.objects };
  }

  private heldStatus(cell: DesiredCell, target: CellsBackendConfig['targets'][number]['target'], message: string): StoredCellStatus {
    return {
      entityRef: cell.entityRef,
      environment: cell.environment,
      namespace: cell.namespace,
      target: target.type === 'directory' ? { type: 'directory', path: target.path } : { type: 'kubernetes', cluster: target.cluster },
      state: 'error',
      message,
      lastReconciledAt: new Date().toISOString(),
      objects: [],
    };
  }
}
