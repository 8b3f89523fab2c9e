import { LoggerService } from '@backstage/backend-plugin-api';
import type { RunCellResult } from '../schema/types';
import { CellsStore } from '../storage/types';
import { CellTarget } from '../targets/types';
import { CellsReconciler, PassRecordError } from './CellsReconciler';

interface Requested {
  runId: string;
  entityRef?: string;
  requestedBy?: string;
}

/**
 * Decides what each run of the scheduler task does: the reconciles people
 * asked for through the API, a pass for catalog changes, and a full pass
 * (every cell compared with its target, which repairs drift) when it is due.
 * The task is scheduled with scope global, so across backend replicas only
 * one runs at a time; requests made on one replica wait in its queue (their
 * run is recorded as running) until its turn.
 */
export class ReconcileQueue {
  private readonly requested: Requested[] = [];
  private lastFull = 0;
  /** Cells seen drifted since the last pass (environment|entityRef): the next pass repairs them. */
  private readonly drifted = new Map<string, { entityRef: string; environment: string; drift: string }>();
  /** Watch events come in bursts: one observation per cell per burst. */
  private readonly observing = new Map<string, NodeJS.Timeout>();
  /** Cells whose live objects changed while a pass ran; observed when it ends. */
  private readonly observeAfterRun = new Map<string, { entityRef: string; environment: string }>();
  private static readonly OBSERVE_DEBOUNCE_MS = 300;

  constructor(
    private readonly deps: {
      reconciler: CellsReconciler;
      store: CellsStore;
      logger: LoggerService;
      /** Milliseconds between full passes. */
      fullInterval: number;
      /** Asks the scheduler to run the task now. */
      trigger: () => Promise<void>;
      targets?: Map<string, CellTarget>;
      /** Told each pass's duration and outcome (the plugin's metrics). */
      onPass?: (pass: { milliseconds: number; trigger: string; outcome: 'succeeded' | 'failed' }) => void;
    },
  ) {}

  /** Reconcile requests waiting for their pass. */
  get depth(): number {
    return this.requested.length;
  }

  /** Records a run for an API request and asks for the task to run now. */
  async request(request: { entityRef?: string; requestedBy?: string }): Promise<string> {
    const runId = await this.deps.store.createRun({ trigger: 'api', ...request });
    this.requested.push({ runId, ...request });
    // Already running (on this or another replica): the request waits for the next turn.
    this.deps.trigger().catch(e => this.deps.logger.debug(`reconcile trigger deferred: ${e}`));
    return runId;
  }

  /** A watch saw one cell's live objects change: re-read its live state into its status shortly. */
  observe(entityRef: string, environment: string): void {
    const k = `${environment}|${entityRef}`;
    if (this.observing.has(k)) return;
    const timer = setTimeout(() => {
      this.observing.delete(k);
      this.observeNow(entityRef, environment).catch(e => this.deps.logger.warn(`could not observe ${entityRef} in ${environment}: ${e}`));
    }, ReconcileQueue.OBSERVE_DEBOUNCE_MS);
    timer.unref?.();
    this.observing.set(k, timer);
  }

  /** Re-reads one cell's live state into its status; a drifted cell is repaired by the next pass. */
  async observeNow(entityRef: string, environment: string): Promise<void> {
    const k = `${environment}|${entityRef}`;
    // Mid-pass a cell is half-applied on purpose (allow rules before default-deny): look once the pass ends.
    if (this.deps.reconciler.running) {
      this.observeAfterRun.set(k, { entityRef, environment });
      return;
    }
    const target = this.deps.targets?.get(environment);
    const applied = this.deps.reconciler.appliedCell(entityRef, environment);
    if (!target || !applied) return;
    const outcome = await target.observe(applied);
    if (this.deps.reconciler.running) {
      this.observeAfterRun.set(k, { entityRef, environment });
      return;
    }
    const [status] = await this.deps.store.listStatuses({ entityRef, environment });
    if (status && status.state !== 'error') {
      await this.deps.store.upsertStatuses([{ ...status, state: outcome.state, message: outcome.message, objects: outcome.objects }]);
    }
    if (outcome.state === 'drifted') {
      if (!this.drifted.has(k)) this.deps.logger.info(`${entityRef} drifted in ${environment}: ${outcome.message}; the next reconcile repairs it`);
      const drift = outcome.objects
        .filter(o => o.state === 'drifted' || o.state === 'missing' || o.state === 'unwanted')
        .filter(o => o.kind !== 'Pod')
        .map(o => `${o.kind} ${o.name} ${o.state}${o.diff ? ` (${o.diff.join(', ')})` : ''}`)
        .join('; ');
      this.drifted.set(k, { entityRef, environment, drift });
    } else this.drifted.delete(k);
  }

  /** Stops pending observations (backend shutdown). */
  stop(): void {
    this.observing.forEach(t => clearTimeout(t));
    this.observing.clear();
  }

  /** The scheduler task's body. */
  async runDue(signal?: AbortSignal): Promise<void> {
    const requests = this.requested.splice(0);
    for (const request of requests) {
      if (signal?.aborted) {
        this.requested.unshift(request);
        continue;
      }
      await this.run(request.runId, { trigger: 'api', full: !request.entityRef, entityRef: request.entityRef, requestedBy: request.requestedBy });
    }
    const full = Date.now() - this.lastFull >= this.deps.fullInterval;
    const { reconciler } = this.deps;
    await reconciler.syncCatalog();
    const changed = reconciler.pendingCells().size > 0;
    const repair = [...this.drifted.values()];
    if (!full && !changed && !reconciler.neverApplied && !repair.length && !reconciler.retryDue()) return;
    let trigger: 'startup' | 'schedule' | 'catalog-change' = full || !changed ? 'schedule' : 'catalog-change';
    if (this.lastFull === 0) trigger = 'startup';
    const runId = await this.deps.store.createRun({ trigger });
    this.drifted.clear();
    await this.run(runId, { trigger, full, repair });
  }

  private async run(runId: string, request: Parameters<CellsReconciler['reconcile']>[0]): Promise<RunCellResult[] | undefined> {
    try {
      return await this.runOnce(runId, request);
    } finally {
      const after = [...this.observeAfterRun.values()];
      this.observeAfterRun.clear();
      after.forEach(c => this.observe(c.entityRef, c.environment));
    }
  }

  private async runOnce(runId: string, request: Parameters<CellsReconciler['reconcile']>[0]): Promise<RunCellResult[] | undefined> {
    const started = performance.now();
    const report = (outcome: 'succeeded' | 'failed') => this.deps.onPass?.({ milliseconds: performance.now() - started, trigger: request.trigger, outcome });
    try {
      const cells = await this.deps.reconciler.reconcile(request, runId);
      report('succeeded');
      if (request.full) this.lastFull = Date.now();
      const failed = cells.filter(c => c.state === 'error');
      await this.deps.store.finishRun(runId, { state: 'succeeded', cells });
      if (failed.length)
        this.deps.logger.warn(
          `reconcile ${runId}: ${failed.length} cell(s) in error: ${failed.map(c => `${c.entityRef} (${c.environment}): ${c.message}`).join('; ')}`,
        );
      return cells;
    } catch (e) {
      report('failed');
      const error = e instanceof Error ? e.message : String(e);
      this.deps.logger.error(`reconcile ${runId} failed: ${error}`);
      // A pass that reached its targets but could not save everything still says what it did.
      const cells = e instanceof PassRecordError ? e.cells : [];
      await this.deps.store
        .finishRun(runId, { state: 'failed', cells, error })
        .catch(f => this.deps.logger.error(`could not record the end of run ${runId}: ${f}`));
      return undefined;
    }
  }
}
