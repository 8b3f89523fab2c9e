import { LoggerService } from '@backstage/backend-plugin-api';
import type { RunCellResult } from '../schema/types';
import { CellsStore } from '../storage/types';
import { CellTarget } from '../targets/types';
import { CellsReconciler, PassRecordError } from './CellsReconciler';
import type { Lease } from '../replicas/Replicas';

interface Requested {
  runId: string;
  entityRef?: string;
  requestedBy?: string;
  /** Environments not reconciled for it yet. */
  remaining: Set<string>;
  cells: RunCellResult[];
  errors: string[];
}

/** What the queue asks of the replicas sharing the database (src/replicas); one replica alone needs none. */
export interface ReplicaCoordination {
  readonly id: string;
  assigned(unit: string): Promise<boolean>;
  acquire(units: string[]): Promise<Lease | undefined>;
  holds(units: string[]): Promise<boolean>;
  release(units: string[]): Promise<void>;
}

/** The lease unit of an environment; the cluster a target writes to is a unit too (targets/units.ts). */
export const environmentUnit = (environment: string) => `environment:${environment}`;

/**
 * Decides what each run of an environment's scheduler task does: the
 * reconciles people asked for through the API, a pass for catalog changes,
 * and a full pass (every cell compared with its target, which repairs drift)
 * when it is due. Each environment is a task of its own. Across replicas, a
 * pass holds the environment's lease (and its cluster's) from start to end,
 * so two replicas never write one target at once; the scheduled passes of an
 * environment are run by the one live replica the rendezvous hash assigns it
 * to, and a request runs on the replica that took it, environment by
 * environment, as each lease allows.
 */
export class ReconcileQueue {
  private readonly requested: Requested[] = [];
  /** When each environment's last full pass ended here (0: none since this replica took it). */
  private readonly lastFull = new Map<string, number>();
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
      /** Asks the scheduler to run an environment's task now (every environment's when none is named). */
      trigger: (environment?: string) => Promise<void>;
      targets?: Map<string, CellTarget>;
      /** Told each pass's duration and outcome (the plugin's metrics). */
      onPass?: (pass: { milliseconds: number; trigger: string; outcome: 'succeeded' | 'failed' }) => void;
      /** The environments, in config order; default: the targets'. */
      environments?: string[];
      replicas?: ReplicaCoordination;
      /** The lease units of an environment's pass; default: the environment's. */
      unitsOf?: (environment: string) => string[];
      /** Told each recorded pass's cell results, not awaited (the verification after a change). */
      onResults?: (cells: RunCellResult[]) => void;
    },
  ) {}

  private get environments(): string[] {
    return this.deps.environments ?? [...(this.deps.targets?.keys() ?? [])];
  }

  /** Reconcile requests waiting for their pass. */
  get depth(): number {
    return this.requested.length;
  }

  /** Records a run for an API request and asks for the task to run now. */
  async request(request: { entityRef?: string; requestedBy?: string }): Promise<string> {
    const runId = await this.deps.store.createRun({ trigger: 'api', ...request, ...(this.deps.replicas ? { owner: this.deps.replicas.id } : {}) });
    if (this.environments.length === 0) {
      await this.finish(runId, { cells: [] });
      return runId;
    }
    this.requested.push({ runId, ...request, remaining: new Set(this.environments), cells: [], errors: [] });
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

  /** The body of an environment's scheduler task; every environment in turn when none is named. */
  async runDue(signal?: AbortSignal, environment?: string): Promise<void> {
    if (environment === undefined) {
      for (const env of this.environments) await this.runDue(signal, env);
      return;
    }
    const { reconciler, replicas } = this.deps;
    const units = this.deps.unitsOf?.(environment) ?? [environmentUnit(environment)];
    const requests = this.requested.filter(r => r.remaining.has(environment));
    const assigned = replicas ? await replicas.assigned(environmentUnit(environment)) : true;
    if (!assigned && !requests.length) {
      // Another replica reconciles it: what this one remembered goes stale.
      reconciler.forgetEnvironment(environment);
      this.lastFull.delete(environment);
      return;
    }
    const lease = replicas ? await replicas.acquire(units) : { units, changedHands: false };
    if (!lease) return; // another replica's pass holds it: the next run of the task tries again
    try {
      if (lease.changedHands) {
        reconciler.forgetEnvironment(environment);
        this.lastFull.delete(environment);
      }
      const beforeApply = async () => {
        if (replicas && !(await replicas.holds(units))) throw new Error(`replica ${replicas.id} no longer holds ${units.join(', ')}; it writes nothing`);
      };
      for (const request of requests) {
        if (signal?.aborted) break;
        const part = await this.pass(
          request.runId,
          { trigger: 'api', full: !request.entityRef, entityRef: request.entityRef, requestedBy: request.requestedBy },
          environment,
          beforeApply,
        );
        request.cells.push(...part.cells);
        if (part.error) request.errors.push(part.error);
        request.remaining.delete(environment);
        if (request.remaining.size === 0) {
          this.requested.splice(this.requested.indexOf(request), 1);
          await this.finish(request.runId, { cells: request.cells, ...(request.errors.length ? { error: request.errors.join('; ') } : {}) });
        }
      }
      if (assigned && !signal?.aborted) await this.scheduledPass(environment, beforeApply);
    } finally {
      await replicas?.release(lease.units).catch(e => this.deps.logger.warn(`could not release ${lease.units.join(', ')}: ${e}`));
    }
  }

  private async scheduledPass(environment: string, beforeApply: () => Promise<void>): Promise<void> {
    const { reconciler } = this.deps;
    const lastFull = this.lastFull.get(environment) ?? 0;
    const full = Date.now() - lastFull >= this.deps.fullInterval;
    await reconciler.syncCatalog();
    const changed = reconciler.pendingCellsOf(environment).size > 0;
    const repair = [...this.drifted.values()].filter(d => d.environment === environment);
    if (!full && !changed && !reconciler.neverAppliedTo(environment) && !repair.length && !reconciler.retryDue(undefined, environment)) return;
    let trigger: 'startup' | 'schedule' | 'catalog-change' = full || !changed ? 'schedule' : 'catalog-change';
    if (lastFull === 0) trigger = 'startup';
    const runId = await this.deps.store.createRun({ trigger, environment, ...(this.deps.replicas ? { owner: this.deps.replicas.id } : {}) });
    repair.forEach(d => this.drifted.delete(`${d.environment}|${d.entityRef}`));
    const result = await this.pass(runId, { trigger, full, repair }, environment, beforeApply);
    if (full && !result.error) this.lastFull.set(environment, Date.now());
    await this.finish(runId, result);
  }

  /** One environment's part of a run; a failure is returned, never thrown. */
  private async pass(
    runId: string,
    request: Parameters<CellsReconciler['reconcile']>[0],
    environment: string,
    beforeApply: () => Promise<void>,
  ): Promise<{ cells: RunCellResult[]; error?: string }> {
    const started = performance.now();
    const report = (outcome: 'succeeded' | 'failed') => this.deps.onPass?.({ milliseconds: performance.now() - started, trigger: request.trigger, outcome });
    try {
      const cells = await this.deps.reconciler.reconcile(request, runId, { environments: [environment], beforeApply });
      report('succeeded');
      return { cells };
    } catch (e) {
      report('failed');
      const error = e instanceof Error ? e.message : String(e);
      this.deps.logger.error(`reconcile ${runId} of ${environment} failed: ${error}`);
      // A pass that reached its targets but could not save everything still says what it did.
      return { cells: e instanceof PassRecordError ? e.cells : [], error };
    } finally {
      const after = [...this.observeAfterRun.values()];
      this.observeAfterRun.clear();
      after.forEach(c => this.observe(c.entityRef, c.environment));
    }
  }

  private async finish(runId: string, result: { cells: RunCellResult[]; error?: string }): Promise<void> {
    const { cells, error } = result;
    const failed = cells.filter(c => c.state === 'error');
    if (failed.length)
      this.deps.logger.warn(
        `reconcile ${runId}: ${failed.length} cell(s) in error: ${failed.map(c => `${c.entityRef} (${c.environment}): ${c.message}`).join('; ')}`,
      );
    await this.deps.store
      .finishRun(runId, { state: error ? 'failed' : 'succeeded', cells, ...(error ? { error } : {}) })
      .catch(f => this.deps.logger.error(`could not record the end of run ${runId}: ${f}`));
    if (!error) this.deps.onResults?.(cells);
  }
}
