/*
 * The event loop while the heavy analysis runs (issue 22, item 1): N
 * components (10 per cell) from the synthetic catalog, reconciled once into a
 * GitOps folder; then the cold requests a cells page makes (the topology, a
 * cell's compliance, a component's blast radius) run while `GET /cells`
 * (the service's listCells) is asked every 20 ms. Measured with the analysis
 * inline (cells.workers.size 0) and in a pool of worker threads.
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/workers.bench.ts 5000 [workers]
 * Prints one JSON line. Measured, not asserted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import knexFactory from 'knex';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { readCellsBackendConfig } from '../plugins/cells-backend/src/config';
import { CatalogCellSource } from '../plugins/cells-backend/src/catalog/CatalogCellSource';
import { CellsReconciler } from '../plugins/cells-backend/src/reconciler/CellsReconciler';
import { DatabaseCellsStore } from '../plugins/cells-backend/src/storage';
import { DirectoryTarget } from '../plugins/cells-backend/src/targets/directory';
import { DefaultCellsService } from '../plugins/cells-backend/src/service/DefaultCellsService';
import { unrestrictedCellAccess } from '../plugins/cells-backend/src/service/CellsService';
import { Analyst } from '../plugins/cells-backend/src/service/analyst';
import { InlineAnalysis, PooledAnalysis } from '../plugins/cells-backend/src/workers/pool';
import { ChangingCatalog } from '../plugins/cells-backend/src/__testUtils__/catalog';
import { syntheticCatalog } from './synthetic';

const components = Number(process.argv[2] ?? 5000);
const workers = Number(process.argv[3] ?? 0);
/** `pass`: measure during the first reconcile pass instead of the three cold requests. */
const during = process.argv[4] === 'pass' ? 'pass' : 'requests';
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

(async () => {
  const entities = syntheticCatalog(components);
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-bench-workers-')), 'development');
  const config = readCellsBackendConfig(new ConfigReader({ cells: { environments: [{ name: 'development', target: { type: 'directory', path: folder } }] } }));
  const knex = knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true });
  const store = await DatabaseCellsStore.create({ database: { getClient: async () => knex } });
  const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet } as any;
  const target = new DirectoryTarget({ path: folder, commit: false, environment: 'development', logger: quiet });
  const catalog = new ChangingCatalog(entities);
  const analysis = workers > 0 ? new PooledAnalysis({ size: workers, settings: config.settings }) : new InlineAnalysis(new Analyst(config.settings));
  const reconciler = new CellsReconciler({
    source: new CatalogCellSource({ catalog: catalog.service, auth: mockServices.auth() }),
    config,
    targets: new Map([['development', target]]),
    store,
    logger: quiet,
    ...(analysis instanceof PooledAnalysis ? { analysis } : {}),
  });
  const firstPass = async () => reconciler.reconcile({ trigger: 'schedule', full: true }, await store.createRun({ trigger: 'schedule' }));
  if (during === 'requests') await firstPass();
  else await reconciler.syncCatalog();
  const service = new DefaultCellsService({
    reconciler,
    store,
    config,
    targets: new Map([['development', target]]),
    requestRun: async () => 'bench',
    analysis,
  });
  // The pool's threads start (and, from the sources, transpile) before the figures.
  if (workers > 0) await service.simulate({ from: 'cell-0/svc-1', to: 'cell-0/svc-2' } as any, unrestrictedCellAccess).catch(() => undefined);

  // GET /cells as a portal asks it, every 20 ms: a request's latency counts from when it was due, so time
  // the event loop was blocked counts as waiting (a blocked loop neither sends nor answers).
  const latencies: number[] = [];
  let asking = true;
  const SLOT_MS = 20;
  const start = performance.now();
  const ask = (async () => {
    let slot = 0;
    while (asking) {
      const due = start + slot * SLOT_MS;
      await new Promise(r => setTimeout(r, Math.max(0, due - performance.now())));
      await service.listCells(unrestrictedCellAccess);
      latencies.push(performance.now() - due);
      slot = Math.max(slot + 1, Math.ceil((performance.now() - start) / SLOT_MS));
    }
  })();
  // The event loop's lag: how late a 5 ms timer fires, and perf_hooks' histogram of the same.
  let lagMax = 0;
  let lagging = true;
  const lag = (async () => {
    while (lagging) {
      const t = performance.now();
      await new Promise(r => setTimeout(r, 5));
      lagMax = Math.max(lagMax, performance.now() - t - 5);
    }
  })();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  await new Promise(r => setTimeout(r, 50));
  loop.reset();
  latencies.length = 0;
  lagMax = 0;
  const timed = async (name: string, call: () => Promise<unknown>) => {
    const t0 = process.hrtime.bigint();
    await call();
    return [name, Math.round(ms(t0))] as const;
  };
  const t0 = process.hrtime.bigint();
  const heavy = Object.fromEntries(
    await Promise.all(
      during === 'pass'
        ? [timed('passMs', firstPass)]
        : [
            timed('topologyMs', () => service.topology('development', unrestrictedCellAccess)),
            timed('complianceMs', () => service.getCell('system:default/cell-1', unrestrictedCellAccess)),
            timed('blastRadiusMs', () => service.blastRadius({ from: 'cell-2/svc-23' } as any, unrestrictedCellAccess)),
          ],
    ),
  );
  const wallMs = Math.round(ms(t0));
  loop.disable();
  asking = false;
  lagging = false;
  await Promise.all([ask, lag]);
  latencies.sort((a, b) => a - b);
  await analysis.close();
  await knex.destroy();
  console.log(
    JSON.stringify({
      components,
      cells: Math.ceil(components / 10),
      workers,
      during,
      heavy: { ...heavy, wallMs },
      eventLoopLagMs: { timerMax: Math.round(lagMax), histogramMax: Math.round(loop.max / 1e6), histogramP99: Math.round(loop.percentile(99) / 1e6) },
      listCellsMs: {
        requests: latencies.length,
        p50: Math.round(pct(latencies, 50)),
        p95: Math.round(pct(latencies, 95)),
        max: Math.round(latencies.at(-1) ?? 0),
      },
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  process.exit(0);
})().catch(e => {
  console.error(e);
  process.exit(1);
});
