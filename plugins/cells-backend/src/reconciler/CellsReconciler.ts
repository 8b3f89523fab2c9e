import { Duration } from 'luxon';
import { LoggerService } from '@backstage/backend-plugin-api';
import { CellModel, compileCells, diffAccess, Holders, KubeObject } from '@cellplane/cells-common';
import type { RunCellResult } from '../schema/types';
import { ApplyResult, CellTarget, DesiredCell, isEgressUnit, SerialQueue } from '@cellplane/plugin-cells-node';
import { CellsBackendConfig } from '../config';
import { CatalogCellSource, EntityChange } from '../catalog/CatalogCellSource';
import { CellsStore } from '../storage/types';
import type { NewAuditEvent } from '../storage';
import { ChangeAttribution, enforcementEvents } from './attribution';
import { affectedCells, affectedCellsByEntity } from './affected';
import { catalogSnapshot } from './snapshot';
import { planEgress } from './egress';
import { Compile, compileEgressIsolated, compileIsolated, Compiled, DiffAccess, diffIsolated, messageOf } from './isolate';
import type { AnalysisRunner } from '../workers/pool';
import { StoreOutbox } from './outbox';
import { cellsToCompile, holdersOfEnvironment, modelOfCells, PassInput, planEnvironment, withoutUnrecorded } from './plan';
import { changedCells, failedApply, settleEnvironment, Settlement } from './settle';
import { CatalogSnapshot, CellsReconcilerView, ReconcileRequest } from './types';
import { ChangeLog, EnvironmentMemory, freshMemory } from './memory';

export type { CatalogSnapshot, ReconcileRequest } from './types';

/** A pass that reached its targets but could not save everything: the run fails with its cells. */
export class PassRecordError extends Error {
  constructor(message: string, readonly cells: RunCellResult[]) {
    super(message);
    this.name = 'PassRecordError';
  }
}

const describeChanges = (changes: EntityChange[]) => changes.map(c => `${c.entityRef} ${c.change}`);

/**
 * Catalog -> compile -> targets, one pass at a time: the I/O around the pure
 * decisions of plan.ts and settle.ts. Recompiles only the cells catalog
 * changes touch, records every policy change with its access diff and cause,
 * and survives a failure at any step: each step's failure is recorded on the
 * cells it concerns, and the next pass starts from what the targets and the
 * store really hold.
 */
export class CellsReconciler implements CellsReconcilerView {
  private snapshot: CatalogSnapshot = { model: { cells: [], components: [], grants: [] }, held: new Map(), entities: new Map() };
  /** The snapshot misses catalog changes already read (building it failed). */
  private snapshotStale = true;
  /** Entity changes read from the catalog; each environment reconciles them from its own cursor. */
  private readonly log = new ChangeLog();
  private pendingMemo: { key: unknown[]; cells: Set<string> } | undefined;
  private readonly memory = new Map<string, EnvironmentMemory>();
  /** holders() per environment, dropped whenever `memory` changes what the targets hold. */
  private readonly holdersMemo = new Map<string, Holders>();
  private readonly outbox = new StoreOutbox();
  private readonly passes = new SerialQueue();
  /** When this process first read the catalog. */
  private catalogReadAt: number | undefined;
  private syncing: Promise<void> | undefined;
  /** When the catalog was last read in full (every cell entity, not by etag). */
  private lastFullRead = -Infinity;
  private readonly now: () => number;
  private readonly compileFn: Compile;
  private readonly diffFn: DiffAccess;
  private readonly fullIntervalMs: number;
  private readonly attribution: ChangeAttribution;

  constructor(
    private readonly deps: {
      source: CatalogCellSource;
      config: CellsBackendConfig;
      targets: Map<string, CellTarget>;
      store: CellsStore;
      logger: LoggerService;
      /** The clock (milliseconds); tests pass their own. */
      now?: () => number;
      /** The core's compiler and access diff; tests pass failing ones. */
      compile?: Compile;
      diffAccess?: DiffAccess;
      /** Worker threads the pass's compilation runs in (the core's compiler only, not a test's stand-in). */
      analysis?: AnalysisRunner;
      /** Who made each access change (default: template annotations, then git); tests pass their own. */
      attribution?: ChangeAttribution;
      /** Where the enforcement changes a pass applied are recorded (the audit trail). */
      audit?: { record(events: Omit<NewAuditEvent, 'at'>[]): Promise<void> };
    },
  ) {
    this.now = deps.now ?? Date.now;
    this.compileFn = deps.compile ?? compileCells;
    this.diffFn = deps.diffAccess ?? diffAccess;
    this.fullIntervalMs = Duration.fromObject(deps.config.fullReconcileInterval).toMillis();
    this.attribution = deps.attribution ?? new ChangeAttribution();
    for (const { environment } of deps.config.targets) this.memory.set(environment, this.freshMemory());
  }

  private freshMemory(): EnvironmentMemory {
    return freshMemory(this.log.end);
  }

  /**
   * Forgets what this replica remembers of an environment, as a restart
   * would: another replica reconciled it since (or will), so the next pass
   * here reads the store's record and the target again and compares every cell.
   */
  forgetEnvironment(environment: string): void {
    if (!this.memory.has(environment)) return;
    this.memory.set(environment, this.freshMemory());
    this.holdersMemo.delete(environment);
    this.trimLog();
  }

  private trimLog(): void {
    this.log.trim([...this.memory.values()].map(m => m.cursor));
  }

  get current(): CatalogSnapshot {
    return this.snapshot;
  }

  /** True until this replica brought some environment's target to the catalog. */
  get neverApplied(): boolean {
    return [...this.memory.values()].every(m => m.appliedModel === undefined);
  }

  /** True while a pass runs: live observations then see a half-applied cell. */
  get running(): boolean {
    return this.passes.running;
  }

  /** True when a failed cell or removal is due for another try, or a deferred removal may now go ahead. */
  retryDue(now = this.now(), environment?: string): boolean {
    return [...this.memory.entries()]
      .filter(([env]) => environment === undefined || env === environment)
      .some(([, m]) => [...m.failing.values()].some(f => f.nextAt <= now) || (m.deferred.length > 0 && now >= this.unseenRemovalAt()));
  }

  /** Whether an environment's target was never brought to the catalog by this replica (since it last took the environment over). */
  neverAppliedTo(environment: string): boolean {
    return this.memory.get(environment)?.appliedModel === undefined;
  }

  /** The cells catalog changes touch that this environment has not reconciled yet. */
  pendingCellsOf(environment: string): Set<string> {
    const memory = this.memory.get(environment);
    if (!memory) return new Set();
    return affectedCells(
      this.log.since(memory.cursor).map(c => c.entityRef),
      [memory.appliedModel, this.snapshot.model],
    );
  }

  /**
   * The same set until the pending changes, the snapshot or the applied model
   * change: every GET /cells and topology asks, and at thousands of pending
   * changes computing it takes a pass over both models. Read it, never change it.
   */
  pendingCells(): Set<string> {
    const memories = [...this.memory.values()];
    const applied = [...new Set(memories.map(m => m.appliedModel))];
    const oldest = Math.min(this.log.end, ...memories.map(m => m.cursor));
    const key = [this.log.start, this.log.end, oldest, this.snapshot.model, ...applied];
    const memo = this.pendingMemo;
    if (memo && memo.key.length === key.length && memo.key.every((k, i) => k === key[i])) return memo.cells;
    const cells = affectedCells(
      this.log.since(oldest).map(c => c.entityRef),
      [...applied, this.snapshot.model],
    );
    this.pendingMemo = { key, cells };
    return cells;
  }

  appliedCell(entityRef: string, environment: string): DesiredCell | undefined {
    return this.memory.get(environment)?.applied.get(entityRef);
  }

  appliedState(environment: string): { model: CellModel; objects: KubeObject[] } | undefined {
    const memory = this.memory.get(environment);
    if (!memory?.appliedModel) return undefined;
    const cells = [...memory.applied.values()].filter(c => !isEgressUnit(c.entityRef));
    return { model: memory.appliedModel, objects: cells.flatMap(c => c.objects) };
  }

  /**
   * Reads the catalog's changes. `full` (a full pass) re-reads every cell
   * entity, at most once per full interval, so the backend converges to the
   * catalog whatever the etags said.
   */
  async syncCatalog(options: { full?: boolean } = {}): Promise<void> {
    const fullDue = !!options.full && this.now() - this.lastFullRead >= this.fullIntervalMs;
    // A sync under way may be an etag-only one: a full read waits for it, then reads again.
    if (fullDue && this.syncing) await this.syncing.catch(() => undefined);
    if (!this.syncing) {
      this.syncing = (async () => {
        const startedAt = this.now();
        const changes = await this.deps.source.sync({ full: fullDue });
        if (fullDue) this.lastFullRead = startedAt;
        this.log.push(changes);
        if (changes.length > 0) this.snapshotStale = true;
        // Built again until it succeeds: a failure here never hides changes already read.
        if (this.snapshotStale) {
          this.snapshot = this.buildSnapshot();
          this.snapshotStale = false;
        }
        this.catalogReadAt ??= this.now();
      })().finally(() => {
        this.syncing = undefined;
      });
    }
    return this.syncing;
  }

  private buildSnapshot(): CatalogSnapshot {
    return catalogSnapshot(this.deps.source.all(), this.deps.config.settings);
  }

  /** The same object until what the environment's target holds changes (views compare it by identity). */
  holders(environment: string): Holders {
    let holders = this.holdersMemo.get(environment);
    if (!holders) {
      const memory = this.memory.get(environment);
      holders = memory ? holdersOfEnvironment({ environment, ...memory }) : {};
      this.holdersMemo.set(environment, holders);
    }
    return holders;
  }

  compile(environment: string, cells: Set<string>) {
    return compileIsolated(this.compileFn, {
      model: this.snapshot.model,
      settings: this.deps.config.settings,
      environment,
      cells,
      holders: this.holders(environment),
    });
  }

  /**
   * Runs one reconcile of the given environments (all by default); passes
   * never overlap within this instance, and the environments' leases keep
   * replicas apart. `beforeApply` runs just before each target is written:
   * it throws when this replica no longer holds the environment.
   */
  reconcile(
    request: ReconcileRequest,
    runId: string,
    options: { environments?: string[]; beforeApply?: (environment: string) => Promise<void> } = {},
  ): Promise<RunCellResult[]> {
    return this.passes.run(() => this.reconcileNow(request, runId, options));
  }

  /** Resolves once the passes queued so far have ended (a graceful stop waits for them). */
  idle(): Promise<void> {
    return this.passes.run(async () => undefined);
  }

  /** Cells of this process's first catalog read may be removed once the catalog has been read for a full interval. */
  private unseenRemovalAt(): number {
    return (this.catalogReadAt ?? this.now()) + this.fullIntervalMs;
  }

  /** The store's record of an environment (what it may hold, its last good compilations), read once and after a handover. */
  private async loadState(environment: string, memory: EnvironmentMemory): Promise<void> {
    if (memory.loaded) return;
    const [goods, applied] = await Promise.all([this.deps.store.getGoodCompilations({ environment }), this.deps.store.listAppliedCells({ environment })]);
    for (const good of goods) memory.lastGood.set(good.entityRef, good);
    for (const record of applied) memory.known.set(record.entityRef, record);
    this.holdersMemo.delete(environment);
    memory.loaded = true;
  }

  private async reconcileNow(
    request: ReconcileRequest,
    runId: string,
    options: { environments?: string[]; beforeApply?: (environment: string) => Promise<void> },
  ): Promise<RunCellResult[]> {
    await this.syncCatalog({ full: request.full });
    const snapshot = this.snapshot;
    const end = this.log.end;
    const results: RunCellResult[] = [];
    for (const { environment } of this.deps.config.targets) {
      if (options.environments && !options.environments.includes(environment)) continue;
      const memory = this.memory.get(environment)!;
      await this.loadState(environment, memory);
      const changes = this.log.since(memory.cursor, end);
      const affectedBy = affectedCellsByEntity(
        changes.map(c => c.entityRef),
        [memory.appliedModel, snapshot.model],
      );
      const dirty = new Set<string>(request.entityRef ? [request.entityRef] : []);
      affectedBy.forEach(cells => cells.forEach(c => dirty.add(c)));
      const pass: PassInput = {
        model: snapshot.model,
        held: snapshot.held,
        firstPass: memory.appliedModel === undefined,
        dirty,
        request,
        now: this.now(),
        unseenRemovalAt: this.unseenRemovalAt(),
      };
      results.push(...(await this.reconcileEnvironment(pass, environment, { snapshot, changes, affectedBy, runId, beforeApply: options.beforeApply })));
      memory.appliedModel = snapshot.model;
      // Changes read while this pass ran stay pending for the next one.
      memory.cursor = end;
    }
    this.trimLog();
    const errors = await this.outbox.flush(this.deps.store);
    if (errors.length) {
      const message = `the targets were brought to the catalog, but ${errors.join('; ')}`;
      this.deps.logger.error(message);
      throw new PassRecordError(message, results);
    }
    return results;
  }

  private async reconcileEnvironment(
    pass: PassInput,
    environment: string,
    context: {
      snapshot: CatalogSnapshot;
      changes: EntityChange[];
      affectedBy: Map<string, Set<string>>;
      runId: string;
      beforeApply?: (environment: string) => Promise<void>;
    },
  ): Promise<RunCellResult[]> {
    const { logger, store, config } = this.deps;
    const target = this.deps.targets.get(environment)!;
    const memory = this.memory.get(environment)!;
    await this.readTargetListing(environment, target, memory);
    const env = { environment, target: target.description, ...memory };
    const compiled = await this.compilePass(context.snapshot, environment, cellsToCompile(pass, env));
    let plan = planEnvironment(pass, env, compiled);
    pass.model.cells.filter(c => c.environments.includes(environment)).forEach(c => memory.seen.add(c.ref));
    if (target.appliesEgress) {
      // From the cells no problem holds: a held cell's new hosts are not opened (fail closed), nor are its older ones kept.
      const kept = new Set(pass.model.cells.filter(c => !plan.held.has(c.ref)).map(c => c.ref));
      const egress = compileEgressIsolated(this.compileFn, { model: modelOfCells(pass.model, kept), settings: config.settings, environment });
      if ('error' in egress) logger.error(`${egress.error}; the target keeps what it holds and the next reconcile tries again`);
      else if (egress.cell) memory.seen.add(egress.cell.entityRef);
      plan = planEgress(pass, env, plan, egress);
    }
    memory.deferred = plan.deferred;
    if (plan.deferred.length) {
      logger.info(
        `${plan.deferred.join(
          ', ',
        )} left ${environment} while the backend was down or before it read the whole catalog; removed once the catalog has been read for ${
          this.fullIntervalMs / 1000
        } s, unless they come back`,
      );
    }

    // Recorded before they are sent, so a restart knows what the target may hold.
    let refused: ReturnType<typeof withoutUnrecorded>['refused'] = [];
    if (plan.record.length) {
      try {
        await store.saveAppliedCells(plan.record);
        plan.record.forEach(r => memory.known.set(r.entityRef, r));
        this.holdersMemo.delete(environment);
        this.outbox.recorded(plan.record);
      } catch (e) {
        logger.error(`could not record the cells about to be applied to ${environment}: ${messageOf(e)}`);
        ({ plan, refused } = withoutUnrecorded(plan, messageOf(e)));
      }
    }

    const causes = context.changes.length ? describeChanges(context.changes) : [this.requestCause(pass.request)];
    let result: ApplyResult;
    try {
      // Outside the try below: a replica that lost the environment writes nothing and the run fails.
      await context.beforeApply?.(environment);
    } catch (e) {
      // What earlier environments of this pass did is still recorded.
      const errors = await this.outbox.flush(store);
      throw new PassRecordError([`${environment}: ${messageOf(e)}`, ...errors].join('; '), []);
    }
    try {
      result = await target.apply(plan.send, plan.remove, { causes });
    } catch (e) {
      logger.error(`the ${environment} target failed: ${messageOf(e)}`);
      result = failedApply(plan, `the target failed: ${messageOf(e)}; the next reconcile retries`);
    }

    const changed = changedCells(plan, result);
    const before = memory.appliedModel;
    const diffs = before
      ? diffIsolated(this.diffFn, {
          settings: config.settings,
          environment,
          before: { model: modelOfCells(before, new Set(memory.applied.keys())), objects: [...memory.applied.values()].flatMap(c => c.objects) },
          after: { model: pass.model, objects: plan.upsert.flatMap(c => c.objects) },
          cells: changed,
        })
      : new Map();
    for (const [ref, d] of diffs) if (d.error) logger.warn(`no access diff for ${ref} in ${environment}: ${d.error}`);

    const settlement = settleEnvironment({
      pass,
      env,
      plan,
      refused,
      result,
      diffs,
      changes: context.changes,
      affectedBy: context.affectedBy,
      runId: context.runId,
      at: new Date(pass.now).toISOString(),
      fullIntervalMs: this.fullIntervalMs,
    });
    this.remember(memory, settlement);
    await this.attribution.attribute(environment, settlement.history, context.snapshot.entities);
    const enforcement = enforcementEvents(settlement.history, before, pass.model, config.settings);
    if (enforcement.length) await this.deps.audit?.record(enforcement).catch(e => logger.error(`could not record enforcement changes: ${messageOf(e)}`));
    settlement.egress.forEach(e => (e.level === 'error' ? logger.error(e.message) : logger.info(e.message)));
    this.holdersMemo.delete(environment);
    this.outbox.add(settlement);
    return settlement.results;
  }

  /** The pass's compilation: in a worker thread when there is a pool, so the event loop keeps answering meanwhile. */
  private async compilePass(snapshot: CatalogSnapshot, environment: string, cells: ReadonlySet<string>): Promise<Compiled> {
    const holders = this.holders(environment);
    if (this.deps.analysis && !this.deps.compile && cells.size > 0) {
      return this.deps.analysis.run(snapshot, 'compile', { environment, holders, cells: [...cells] });
    }
    return compileIsolated(this.compileFn, { model: snapshot.model, settings: this.deps.config.settings, environment, cells, holders });
  }

  /** Once per environment (until it succeeds), what the target itself says it holds joins the record. */
  private async readTargetListing(environment: string, target: CellTarget, memory: EnvironmentMemory): Promise<void> {
    if (memory.listed || !target.listCells) {
      memory.listed = true;
      return;
    }
    try {
      const found = (await target.listCells())
        .filter(h => !memory.known.has(h.entityRef))
        .map(h => ({ entityRef: h.entityRef, environment, cellName: h.cellName, namespace: h.namespace ?? '' }));
      found.forEach(r => memory.known.set(r.entityRef, r));
      if (found.length) this.holdersMemo.delete(environment);
      memory.listed = true;
      if (found.length) {
        this.deps.logger.info(`the ${environment} target holds ${found.map(f => f.entityRef).join(', ')}, which the database did not record`);
        await this.deps.store.saveAppliedCells(found).catch(e => this.deps.logger.warn(`could not record them: ${messageOf(e)}`));
      }
    } catch (e) {
      this.deps.logger.warn(`could not list what the ${environment} target holds (${messageOf(e)}); the next pass asks again`);
    }
  }

  /** The settlement, in memory at once: the reconciler follows the targets even while the store lags. */
  private remember(memory: EnvironmentMemory, settlement: Settlement): void {
    settlement.applied.forEach((cell, ref) => (cell ? memory.applied.set(ref, cell) : memory.applied.delete(ref)));
    settlement.failing.forEach((backoff, ref) => (backoff ? memory.failing.set(ref, backoff) : memory.failing.delete(ref)));
    settlement.stale.forEach((stale, ref) => (stale ? memory.stale.add(ref) : memory.stale.delete(ref)));
    settlement.carried.forEach((changes, ref) => (changes ? memory.carried.set(ref, changes) : memory.carried.delete(ref)));
    settlement.goods.forEach(good => memory.lastGood.set(good.entityRef, good));
    for (const cell of settlement.forgotten) {
      memory.known.delete(cell.entityRef);
      memory.lastGood.delete(cell.entityRef);
      memory.applied.delete(cell.entityRef);
      memory.stale.delete(cell.entityRef);
    }
  }

  private requestCause(request: ReconcileRequest): string {
    if (request.requestedBy) return `reconcile requested by ${request.requestedBy}`;
    return request.full ? 'periodic full reconcile' : 'reconcile';
  }
}
