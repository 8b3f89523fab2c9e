import { LoggerService } from '@backstage/backend-plugin-api';
import type { RunCellResult } from '../schema/types';
import type { CellsReconcilerView } from '../reconciler/types';
import type { EvidenceStore, StoredVerification } from '../storage';
import type { AnalysisRunner } from '../workers/pool';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Verifications a cell's history or pack reads at most per environment (a daily run over 400 days, and the runs after changes). */
export const MAX_KEPT_VERIFICATIONS = 10_000;

/**
 * Continuous verification (docs/evidence.md): every cell of an environment on
 * the schedule, the cells a reconcile changed right after it, each run
 * stored; runs and audit events older than the retention period pruned. The
 * verification itself is the worker pool's `verify` task (the core's
 * verifySimulation and verificationRecordOf on the backend's analysis view).
 */
export class ContinuousVerification {
  private readonly now: () => number;
  /** One verification at a time: runs after a busy hour of changes queue rather than pile onto the workers. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      reconciler: Pick<CellsReconcilerView, 'current' | 'holders' | 'syncCatalog'>;
      analysis: AnalysisRunner;
      store: EvidenceStore;
      environments: string[];
      retentionDays: number;
      version: string;
      logger: LoggerService;
      /** The clock (milliseconds); tests pass their own. */
      now?: () => number;
    },
  ) {
    this.now = deps.now ?? Date.now;
  }

  /** The oldest time still kept (ISO). */
  keptSince(): string {
    return new Date(this.now() - this.deps.retentionDays * DAY_MS).toISOString();
  }

  /** Verifies cells of an environment (default: every cell deployed there) and stores one run per cell. */
  verify(environment: string, trigger: string, cells?: string[]): Promise<StoredVerification[]> {
    const run = this.queue.then(() => this.verifyNow(environment, trigger, cells));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async verifyNow(environment: string, trigger: string, cells?: string[]): Promise<StoredVerification[]> {
    const { reconciler, analysis, store, logger } = this.deps;
    const snapshot = reconciler.current;
    const asked = cells ?? snapshot.model.cells.filter(c => c.environments.includes(environment)).map(c => c.ref);
    if (asked.length === 0) return [];
    // One cell per task: the pool is shared with the reconcile pass's compilation, which then waits for
    // one cell's verification at most, never for a whole environment's.
    const at = new Date(this.now()).toISOString();
    const stored: StoredVerification[] = [];
    for (const cell of asked) {
      const { records, failures } = await analysis.run(snapshot, 'verify', {
        environment,
        holders: reconciler.holders(environment),
        cells: [cell],
        at,
        version: this.deps.version,
        trigger,
      });
      for (const [failed, why] of failures) logger.warn(`${failed} was not verified in ${environment}: it ${why}`);
      await store.addVerifications(records);
      stored.push(...records);
    }
    return stored;
  }

  /** The scheduled run of one environment: every cell verified, then what is older than the period pruned. */
  async scheduled(environment: string): Promise<void> {
    await this.deps.reconciler.syncCatalog();
    const records = await this.verify(environment, 'schedule');
    const pruned = await this.prune();
    this.deps.logger.info(
      `verified ${records.length} cell(s) in ${environment}; pruned ${pruned.verifications} verification(s) and ${pruned.auditEvents} audit event(s) older than ${this.deps.retentionDays} days`,
    );
  }

  prune(): Promise<{ verifications: number; auditEvents: number }> {
    return this.deps.store.prune(this.keptSince());
  }

  /** After a reconcile: the cells whose objects changed, verified in each environment they changed in. */
  async afterPass(results: RunCellResult[]): Promise<void> {
    const changed = new Map<string, string[]>();
    for (const r of results) {
      if (r.state === 'error' || r.created + r.updated + r.pruned === 0 || !this.deps.environments.includes(r.environment)) continue;
      changed.set(r.environment, [...(changed.get(r.environment) ?? []), r.entityRef]);
    }
    for (const [environment, cells] of changed) {
      await this.verify(environment, 'change', cells).catch(e =>
        this.deps.logger.error(`could not verify ${cells.join(', ')} in ${environment} after the change: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
  }

  /** A cell's kept runs over the period, newest first. */
  history(entityRef: string, environment?: string): Promise<StoredVerification[]> {
    return this.deps.store.listVerifications({ entityRef, environment, since: this.keptSince(), limit: MAX_KEPT_VERIFICATIONS });
  }
}
