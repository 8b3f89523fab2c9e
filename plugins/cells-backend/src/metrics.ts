import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import type { CellsReconcilerView } from './reconciler/types';
import { CellsStore } from './storage/types';
import { cellStateOf } from './service/compliance';
import type { AnalysisStats } from './workers/pool';

/** What the metrics read: all of it answers from memory but the cells' states (one status query per collection). */
export interface CellsMetricsSources {
  reconciler: CellsReconcilerView;
  store: CellsStore;
  environments: string[];
  /** Reconcile requests waiting for their pass. */
  queueDepth: () => number;
  analysis: () => AnalysisStats;
}

/** The reconcile pass's histogram buckets, in seconds (a pass takes from milliseconds to minutes). */
const PASS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

/** How each cell of the catalog stands in each environment, as the cells list shows it. */
export async function cellsByState(sources: Pick<CellsMetricsSources, 'reconciler' | 'store' | 'environments'>): Promise<Map<string, number>> {
  const { reconciler, store, environments } = sources;
  const statuses = await store.listStatuses({ withObjects: false });
  const byKey = new Map(statuses.map(s => [`${s.environment}|${s.entityRef}`, s]));
  const pending = reconciler.pendingCells();
  const counts = new Map<string, number>();
  for (const cell of reconciler.current.model.cells) {
    for (const environment of cell.environments.filter(e => environments.includes(e))) {
      const { state } = cellStateOf(reconciler.neverApplied, byKey.get(`${environment}|${cell.ref}`), cell.ref, environment, pending);
      const key = `${environment}|${state}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** The reconcile pass's duration histogram: what records each pass (made before the queue that reports to it). */
export function reconcilePassMetric(metrics: MetricsService) {
  const passes = metrics.createHistogram('cells.reconcile.duration', {
    description: 'Duration of each reconcile pass',
    unit: 's',
    advice: { explicitBucketBoundaries: PASS_BUCKETS },
  });
  return (pass: { milliseconds: number; trigger: string; outcome: string }) =>
    passes.record(pass.milliseconds / 1000, { trigger: pass.trigger, outcome: pass.outcome });
}

/**
 * The cells backend's metrics, through Backstage's metrics service
 * (OpenTelemetry; docs/scale.md says how the portal exposes them to
 * Prometheus): the event loop's delay, the cells by state, the reconcile
 * queue and the analysis workers (each pass's duration: reconcilePassMetric).
 * Returns what stops the event-loop sampling (at shutdown).
 */
export function reportCellsMetrics(metrics: MetricsService, sources: CellsMetricsSources) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  // Read and reset once per collection, so each scrape sees the delay since the previous one.
  metrics
    .createObservableGauge('cells.event_loop.delay', {
      description: 'Event-loop delay of the backend process since the last collection (max, p99, mean)',
      unit: 'ms',
    })
    .addCallback(result => {
      if (loop.count === 0) return;
      result.observe(loop.max / 1e6, { statistic: 'max' });
      result.observe(loop.percentile(99) / 1e6, { statistic: 'p99' });
      result.observe(loop.mean / 1e6, { statistic: 'mean' });
      loop.reset();
    });

  metrics.createObservableGauge('cells.cells', { description: 'Cells of the catalog per environment and state' }).addCallback(async result => {
    for (const [key, count] of await cellsByState(sources)) {
      const [environment, state] = key.split('|');
      result.observe(count, { environment, state });
    }
  });

  metrics
    .createObservableGauge('cells.reconcile.queue.depth', { description: 'Reconcile requests waiting for a pass' })
    .addCallback(result => result.observe(sources.queueDepth()));
  metrics
    .createObservableGauge('cells.reconcile.pending_cells', { description: 'Cells whose catalog changes wait for the next pass' })
    .addCallback(result => result.observe(sources.reconciler.pendingCells().size));

  metrics
    .createObservableGauge('cells.workers.utilization', { description: "Share of the analysis workers' time spent on tasks (0..1)" })
    .addCallback(result => {
      result.observe(sources.analysis().utilization);
    });
  metrics.createObservableGauge('cells.workers.queued', { description: 'Analysis tasks waiting for a free worker' }).addCallback(result => {
    result.observe(sources.analysis().queued);
  });
  metrics.createObservableGauge('cells.workers.threads', { description: 'Analysis worker threads (0: inline)' }).addCallback(result => {
    result.observe(sources.analysis().threads);
  });

  return { stop: () => loop.disable() };
}
