/*
 * The cells backend at size: N components (10 per cell) from the synthetic
 * catalog, reconciled into a GitOps folder, then the REST API under load.
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/backend.bench.ts 10000
 * Prints one JSON line. Measured, not asserted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import autocannon from 'autocannon';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import cellsPlugin from '../plugins/cells-backend/src';
import { readCellsBackendConfig } from '../plugins/cells-backend/src/config';
import { CatalogCellSource } from '../plugins/cells-backend/src/catalog/CatalogCellSource';
import { CellsReconciler } from '../plugins/cells-backend/src/reconciler/CellsReconciler';
import { DatabaseCellsStore } from '../plugins/cells-backend/src/storage';
import { DirectoryTarget } from '../plugins/cells-backend/src/targets/directory';
import { DefaultCellsService } from '../plugins/cells-backend/src/service/DefaultCellsService';
import { unrestrictedCellAccess } from '../plugins/cells-backend/src/service/CellsService';
import { ChangingCatalog } from '../plugins/cells-backend/src/__testUtils__/catalog';
import { syntheticCatalog } from './synthetic';

const components = Number(process.argv[2] ?? 10000);
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

function snapshotFolder(folder: string): Map<string, number> {
  return new Map(fs.readdirSync(folder).map(f => [f, fs.statSync(path.join(folder, f)).mtimeMs]));
}
function changedFiles(before: Map<string, number>, after: Map<string, number>): number {
  let n = 0;
  for (const [f, t] of after) if (before.get(f) !== t) n++;
  for (const f of before.keys()) if (!after.has(f)) n++;
  return n;
}

async function reconcileFigures(entities: ReturnType<typeof syntheticCatalog>) {
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-bench-')), 'development');
  const config = readCellsBackendConfig(new ConfigReader({ cells: { environments: [{ name: 'development', target: { type: 'directory', path: folder } }] } }));
  const knex = knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true });
  const store = await DatabaseCellsStore.create({ database: { getClient: async () => knex } });
  const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet } as any;
  const logger = quiet;
  const target = new DirectoryTarget({ path: folder, commit: false, environment: 'development', logger });
  const catalog = new ChangingCatalog(entities);
  const reconciler = new CellsReconciler({
    source: new CatalogCellSource({ catalog: catalog.service, auth: mockServices.auth() }),
    config,
    targets: new Map([['development', target]]),
    store,
    logger,
  });
  const pass = async (full: boolean) => {
    const before = fs.existsSync(folder) ? snapshotFolder(folder) : new Map();
    const t0 = process.hrtime.bigint();
    await reconciler.reconcile({ trigger: 'schedule', full }, await store.createRun({ trigger: 'schedule' }));
    const result = { ms: ms(t0), filesWritten: changedFiles(before, snapshotFolder(folder)) };
    process.stderr.write(`pass full=${full}: ${JSON.stringify(result)}\n`);
    return result;
  };
  const first = await pass(true);
  // The topology the page asks for, built from this snapshot (cold: compile and probe every component).
  const service = new DefaultCellsService({ reconciler, store, config, targets: new Map([['development', target]]), requestRun: async () => 'bench' });
  const topologyMs = async () => {
    const t0 = process.hrtime.bigint();
    await service.topology('development', unrestrictedCellAccess);
    return ms(t0);
  };
  const topologyCold = await topologyMs();
  const topologyCached = await topologyMs();
  const steadyIncremental = await pass(false);
  const steadyFull = await pass(true);
  // One component edited: a new connection to a component of another cell.
  const edited = entities.find(e => e.kind === 'Component')!;
  catalog.set({
    ...edited,
    spec: {
      ...edited.spec,
      connections: [...((edited.spec as any).connections ?? []), { to: 'svc-5', endpoint: 'http', methods: ['PUT'], paths: ['/bench'] }],
    },
  });
  const oneChange = await pass(false);
  // A new snapshot: recompiled, but only the two cells the change touched are probed again.
  const topologyAfterChange = await topologyMs();
  process.stderr.write(
    `topology ms: cold ${topologyCold.toFixed(0)}, cached ${topologyCached.toFixed(1)}, after one change ${topologyAfterChange.toFixed(0)}\n`,
  );
  await knex.destroy();
  return { first, steadyIncremental, steadyFull, oneChange, topology: { coldMs: topologyCold, cachedMs: topologyCached, afterChangeMs: topologyAfterChange } };
}

async function loadFigures(entities: ReturnType<typeof syntheticCatalog>) {
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-bench-http-')), 'development');
  const withEtags = new ChangingCatalog(entities);
  const backend = await startTestBackend({
    features: [
      cellsPlugin,
      catalogServiceMock.factory({ entities: entities.map(e => withEtags.get(`${e.kind.toLowerCase()}:default/${e.metadata.name}`)!) }),
      mockServices.rootConfig.factory({ data: { cells: { environments: [{ name: 'development', target: { type: 'directory', path: folder } }] } } }),
    ],
  });
  const base = `http://localhost:${backend.server.port()}/api/cells`;
  // Wait for the first reconcile (the test scheduler runs the task once at start).
  for (let i = 0; i < 600; i++) {
    const res = await fetch(`${base}/cells`);
    const body = (await res.json()) as any;
    if (body.items?.length && body.items.every((c: any) => c.environments[0].state === 'in-sync')) break;
    await new Promise(r => setTimeout(r, 500));
  }
  process.stderr.write('backend up and reconciled\n');
  const result: Record<string, { p50: number; p95: number; p99: number; requests: number; non2xx: number; firstMs: number; firstBytes: number }> = {};
  // The topology twice: as autocannon asks (no compression, megabytes per answer) and as a browser asks (gzip).
  const routes = [
    { name: 'topology', route: 'topology?environment=development', headers: {} },
    { name: 'topologyGzip', route: 'topology?environment=development', headers: { 'accept-encoding': 'gzip' } },
    { name: 'cells', route: 'cells', headers: {} },
  ];
  for (const { name, route, headers } of routes) {
    const t0 = process.hrtime.bigint();
    const firstBytes = (await (await fetch(`${base}/${route}`, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer()).byteLength;
    const firstMs = ms(t0);
    const latencies: number[] = [];
    const instance = autocannon({ url: `${base}/${route}`, headers, connections: 10, overallRate: 50, duration: 10 });
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
    const run = await instance;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
    result[name] = { p50: pct(50), p95: pct(95), p99: pct(99), requests: latencies.length, non2xx: run.non2xx, firstMs, firstBytes };
  }
  await backend.stop();
  return result;
}

(async () => {
  const entities = syntheticCatalog(components);
  const reconcile = await reconcileFigures(entities);
  const load = await loadFigures(entities);
  console.log(
    JSON.stringify({ components, cells: Math.ceil(components / 10), reconcile, load, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }),
  );
  process.exit(0);
})().catch(e => {
  console.error(e);
  process.exit(1);
});
