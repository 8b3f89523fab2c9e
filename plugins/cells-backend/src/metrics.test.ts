import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { ConfigReader } from '@backstage/config';
import { artemisEntities } from './__testUtils__/artemis';
import { readCellsBackendConfig } from './config';
import { cellsByState, reconcilePassMetric, reportCellsMetrics } from './metrics';
import { catalogSnapshot } from './reconciler/snapshot';
import { ReconcilerReads } from './service/CellsService';
import { CellsStore, StoredCellStatus } from './storage/types';

const config = readCellsBackendConfig(new ConfigReader({}));

/** A metrics service that keeps what is registered, so a test can collect like an exporter would. */
function recordingMetrics() {
  const observed = new Map<string, (result: { observe(value: number, attributes?: Record<string, string>): void }) => void | Promise<void>>();
  const histograms = new Map<string, { value: number; attributes?: Record<string, unknown> }[]>();
  const metrics = {
    createObservableGauge: (name: string) => ({ addCallback: (cb: any) => observed.set(name, cb), removeCallback: () => undefined }),
    createHistogram: (name: string) => {
      const values: { value: number; attributes?: Record<string, unknown> }[] = [];
      histograms.set(name, values);
      return { record: (value: number, attributes?: Record<string, unknown>) => values.push({ value, attributes }) };
    },
  } as unknown as MetricsService;
  const collect = async (name: string) => {
    const values: { value: number; attributes?: Record<string, string> }[] = [];
    await observed.get(name)!({ observe: (value, attributes) => values.push({ value, attributes }) });
    return values;
  };
  return { metrics, collect, histograms, names: () => [...observed.keys()] };
}

function sources(pending = new Set<string>()) {
  const current = catalogSnapshot(artemisEntities(), config.settings);
  const [first, second] = current.model.cells.map(c => c.ref);
  const reconciler = { current, neverApplied: false, pendingCells: () => pending, holders: () => ({}) } as unknown as ReconcilerReads;
  const status = (entityRef: string, state: StoredCellStatus['state']) => ({ entityRef, environment: 'development', state, message: '' } as StoredCellStatus);
  const store = { listStatuses: async () => [status(first, 'in-sync'), status(second, 'error')] } as unknown as CellsStore;
  return { reconciler, store, environments: ['development'], queueDepth: () => 3, analysis: () => ({ threads: 2, queued: 5, utilization: 0.25 }) };
}

describe('the cells backend metrics (issue 22, item 4)', () => {
  it('counts the cells by environment and state as the cells list shows them (a pending change wins over in-sync)', async () => {
    const s = sources();
    const cells = s.reconciler.current.model.cells.map(c => c.ref);
    expect(cells.length).toBe(5);
    expect(Object.fromEntries(await cellsByState(s))).toEqual({ 'development|in-sync': 1, 'development|error': 1, 'development|not-applied': 3 });
    const pendingFirst = sources(new Set([cells[0]]));
    expect(Object.fromEntries(await cellsByState(pendingFirst))).toEqual({ 'development|pending': 1, 'development|error': 1, 'development|not-applied': 3 });
  });

  it('reports the queue, the workers, the cells and each pass through the metrics service', async () => {
    const { metrics, collect, histograms, names } = recordingMetrics();
    const reported = reportCellsMetrics(metrics, sources());
    try {
      expect(names().sort()).toEqual([
        'cells.cells',
        'cells.event_loop.delay',
        'cells.reconcile.pending_cells',
        'cells.reconcile.queue.depth',
        'cells.workers.queued',
        'cells.workers.threads',
        'cells.workers.utilization',
      ]);
      expect(await collect('cells.reconcile.queue.depth')).toEqual([{ value: 3 }]);
      expect(await collect('cells.workers.utilization')).toEqual([{ value: 0.25 }]);
      expect(await collect('cells.workers.queued')).toEqual([{ value: 5 }]);
      expect(await collect('cells.workers.threads')).toEqual([{ value: 2 }]);
      expect(await collect('cells.cells')).toContainEqual({ value: 3, attributes: { environment: 'development', state: 'not-applied' } });
      reconcilePassMetric(metrics)({ milliseconds: 1500, trigger: 'schedule', outcome: 'succeeded' });
      expect(histograms.get('cells.reconcile.duration')).toEqual([{ value: 1.5, attributes: { trigger: 'schedule', outcome: 'succeeded' } }]);
    } finally {
      reported.stop();
    }
  });

  it('reports the event loop blocked for 600 ms as a delay of at least 500 ms, then starts over', async () => {
    const { metrics, collect } = recordingMetrics();
    const reported = reportCellsMetrics(metrics, sources());
    try {
      // Let the sampler take its first samples, then hold the loop.
      await new Promise(r => setTimeout(r, 50));
      const until = performance.now() + 600;
      while (performance.now() < until);
      // The sampler records the delay when its timer fires after the block.
      await new Promise(r => setTimeout(r, 50));
      const first = await collect('cells.event_loop.delay');
      const max = first.find(v => v.attributes?.statistic === 'max')!.value;
      expect(max).toBeGreaterThanOrEqual(500);
      expect(first.map(v => v.attributes?.statistic).sort()).toEqual(['max', 'mean', 'p99']);
      await new Promise(r => setTimeout(r, 50));
      const next = await collect('cells.event_loop.delay');
      expect(next.find(v => v.attributes?.statistic === 'max')!.value).toBeLessThan(max);
    } finally {
      reported.stop();
    }
  });
});
