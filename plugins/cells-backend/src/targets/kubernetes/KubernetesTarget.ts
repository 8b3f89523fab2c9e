import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ApplyContext,
  ApplyResult,
  CellOutcome,
  CellTarget,
  DesiredCell,
  HeldCell,
  noChanges,
  ObjectChangeSet,
  RemovedCell,
  SerialQueue,
  TargetDescription,
} from '@cellplane/plugin-cells-node';
import { KubeConfig } from '@kubernetes/client-node';
import { Applier } from './Applier';
import { KubeHttp, RetryOptions } from './http';
import { LiveCache, messageOf } from './LiveCache';
import { Observer } from './Observer';

export { FIELD_MANAGER, describeFailure } from './Applier';

export interface KubernetesTargetOptions {
  cluster: string;
  kubeconfig: KubeConfig;
  environment: string;
  logger: LoggerService;
  /** Connection errors retry with exponential backoff; default 4 attempts from 250 ms. */
  retry?: RetryOptions;
  /** How long apply and observe wait for the first list of every watched kind; default 30 s. */
  syncTimeoutMs?: number;
}

/**
 * The Kubernetes target: server-side applies each cell's objects (field
 * manager `cellplane`, exact JSON bodies), prunes only objects carrying
 * Cellplane's labels in the cell's namespace, never touches an object it does
 * not own, and reports live status from label-selected informers. Unchanged
 * objects cost no request: the steady state writes nothing. The work is
 * split: the live cache (informers, discovery), the applier (phases, prune)
 * and the observer (status from the cache).
 */
export class KubernetesTarget implements CellTarget {
  readonly description: TargetDescription;
  /** The platform egress namespace is one more unit, its objects labelled `cellplane.io/egress` (units.ts). */
  readonly appliesEgress = true;
  readonly http: KubeHttp;
  private readonly cache: LiveCache;
  private readonly applier: Applier;
  private readonly observer: Observer;
  private readonly queue = new SerialQueue();

  constructor(options: KubernetesTargetOptions) {
    this.http = new KubeHttp(options.kubeconfig, options.retry);
    this.description = { type: 'kubernetes', cluster: options.cluster };
    const { kubeconfig, environment, logger } = options;
    this.cache = new LiveCache({ kubeconfig, http: this.http, environment, logger, syncTimeoutMs: options.syncTimeoutMs ?? 30_000 });
    this.applier = new Applier({ cache: this.cache, http: this.http, environment, logger });
    this.observer = new Observer({ cache: this.cache, applier: this.applier });
  }

  onChange(listener: (entityRef: string, environment: string) => void): void {
    this.cache.onChange(listener);
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  stop(): Promise<void> {
    return this.cache.stop();
  }

  /**
   * Resolves once every watch has listed (again, after the cluster was
   * unreachable), or throws naming the watches that are not running. Apply
   * and observe wait syncTimeoutMs for this; a caller that knows the cluster
   * is coming back (a test restarting its API server) can wait longer.
   */
  waitForLiveView(timeoutMs?: number): Promise<void> {
    return this.cache.waitForSync(timeoutMs);
  }

  async plan(cell: DesiredCell): Promise<ObjectChangeSet> {
    this.cache.remember(cell);
    await this.cache.waitForSync();
    return this.observer.plan(cell);
  }

  /** The cells whose labelled objects (the namespace aside) this environment holds. */
  async listCells(): Promise<HeldCell[]> {
    await this.cache.waitForSync();
    return this.cache.heldCells();
  }

  apply(upsert: DesiredCell[], remove: RemovedCell[], context: ApplyContext): Promise<ApplyResult> {
    return this.queue.run(() => this.applyNow(upsert, remove, context));
  }

  private async applyNow(upsert: DesiredCell[], remove: RemovedCell[], context: ApplyContext): Promise<ApplyResult> {
    upsert.forEach(c => this.cache.remember(c));
    remove.forEach(c => this.cache.remember(c));
    try {
      await this.cache.waitForSync();
      await this.cache.refreshAvailability();
    } catch (e) {
      const message = `cannot reach the cluster: ${messageOf(e)}; the next reconcile retries`;
      upsert.forEach(c => this.applier.fail(c.entityRef, message));
      return {
        cells: upsert.map(c => this.failed(c, message)),
        removed: remove.map(c => ({ entityRef: c.entityRef, environment: c.environment, state: 'error', pruned: [], message })),
      };
    }
    const cells: CellOutcome[] = [];
    for (const cell of upsert) {
      if (context.signal?.aborted) cells.push(this.failed(cell, 'the reconcile was stopped before this cell was applied'));
      else cells.push(await this.applier.applyCell(cell, context));
    }
    const removed = [];
    for (const cell of remove) removed.push(await this.applier.removeCell(cell, context));
    return { cells, removed };
  }

  async observe(cell: DesiredCell): Promise<CellOutcome> {
    this.cache.remember(cell);
    try {
      await this.cache.waitForSync();
    } catch (e) {
      return this.failed(cell, messageOf(e));
    }
    return this.observer.observe(cell);
  }

  private failed(cell: Pick<DesiredCell, 'entityRef' | 'environment'>, message: string): CellOutcome {
    return { entityRef: cell.entityRef, environment: cell.environment, changes: noChanges(), state: 'error', message, objects: [] };
  }
}
