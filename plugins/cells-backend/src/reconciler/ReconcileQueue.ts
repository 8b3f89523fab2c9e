import { LoggerService } from '@backstage/backend-plugin-api';
import { RunCellResult } from '@cellplane/cells-common';
import { CellsStore } from '../storage/types';
import { CellTarget } from '../targets/types';
import { CellsReconciler } from './CellsReconciler';

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
    },
  ) {}

  /** Records a run for an API request and asks for the task to run now. */
  async request(request: { entityRef?: string; requestedBy?: string }): Promise<string> {
    const runId = await this.deps.store.createRun({ trigger: 'api', ...request });
    this.requested.push({ runId, ...request });
    // Already running (on this or another replica): the request waits for the next turn.
    this.deps.trigger().catch(e => this.deps.logger.debug(`reconcile trigger deferred: ${e}`));
    return runId;
  }

  /** Re-reads one cell's live state into its status (a watch saw a change). */
  async observe(entityRef: string, environment: string): Promise<void> {
    const target = this.deps.targets?.get(environment);
    const applied = this.deps.reconciler.appliedCell(entityRef, environment);
    if (!target || !applied) return;
    try {
      const outcome = await target.observe(applied);
      const [status] = await this.deps.store.listStatuses({ entityRef, environment });
      if (status && status.state !== 'error') {
        await this.deps.store.upsertStatuses([{ ...status, state: outcome.state, message: outcome.message, objects: outcome.objects }]);
      }
    } catch (e) {
      this.deps.logger.warn(`could not observe ${entityRef} in ${environment}: ${e}`);
    }
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
    if (!full && reconciler.pendingCells().size === 0 && !reconciler.neverApplied) return;
    let trigger: 'startup' | 'schedule' | 'catalog-change' = full ? 'schedule' : 'catalog-change';
    if (this.lastFull === 0) trigger = 'startup';
    const runId = await this.deps.store.createRun({ trigger });
    await this.run(runId, { trigger, full });
  }

  private async run(runId: string, request: Parameters<CellsReconciler['reconcile']>[0]): Promise<RunCellResult[] | undefined> {
    try {
      const cells = await this.deps.reconciler.reconcile(request, runId);
      if (request.full) this.lastFull = Date.now();
      const failed = cells.filter(c => c.state === 'error');
      await this.deps.store.finishRun(runId, { state: 'succeeded', cells });
      if (failed.length) this.deps.logger.warn(`reconcile ${runId}: ${failed.length} cell(s) in error: ${failed.map(c => `${c.entityRef} (${c.environment}): ${c.message}`).join('; ')}`);
      return cells;
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.deps.logger.error(`reconcile ${runId} failed: ${error}`);
      await this.deps.store.finishRun(runId, { state: 'failed', cells: [], error });
      return undefined;
    }
  }
}
