/*
 * The cells backend's Kubernetes target at size, on the real API server of
 * packages/kube-testenv (kube-apiserver + etcd on this machine, real CRDs; no
 * nodes). N components, 10 per cell, from the synthetic catalog, reconciled
 * by the backend's own reconciler:
 *   first full pass, a steady full pass (goal: zero writes, and requests that
 *   do not grow with the number of objects), and the time from a hand edit of
 *   an AuthorizationPolicy to the cell reading `drifted` (goal < 5 s).
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/kube.bench.ts 2000
 * Prints one JSON line. Measured, not asserted.
 */
import knexFactory from 'knex';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { KubeConfig } from '@kubernetes/client-node';
import { objectPath, rawRequest, startTestEnvironment, stopKubeTestEnv } from '../packages/kube-testenv/src';
import { readCellsBackendConfig } from '../plugins/cells-backend/src/config';
import { CatalogCellSource } from '../plugins/cells-backend/src/catalog/CatalogCellSource';
import { CellsReconciler } from '../plugins/cells-backend/src/reconciler/CellsReconciler';
import { DatabaseCellsStore } from '../plugins/cells-backend/src/storage';
import { KubernetesTarget } from '../plugins/cells-backend/src/targets/kubernetes';
import { ChangingCatalog } from '../plugins/cells-backend/src/__testUtils__/catalog';
import { syntheticCatalog } from './synthetic';

const components = Number(process.argv[2] ?? 2000);
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'];

(async () => {
  const state = await startTestEnvironment({ log: m => process.stderr.write(`${m}\n`) });
  try {
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(state.kubeconfigPath);
    const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet } as any;
    const config = readCellsBackendConfig(
      new ConfigReader({ cells: { environments: [{ name: 'development', target: { type: 'kubernetes', cluster: 'bench' } }] } }),
    );
    const knex = knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true });
    const store = await DatabaseCellsStore.create({ database: { getClient: async () => knex } });
    const target = new KubernetesTarget({ cluster: 'bench', kubeconfig, environment: 'development', logger: quiet, syncTimeoutMs: 120_000 });
    await target.start();
    const reconciler = new CellsReconciler({
      source: new CatalogCellSource({ catalog: new ChangingCatalog(syntheticCatalog(components)).service, auth: mockServices.auth() }),
      config,
      targets: new Map([['development', target]]),
      store,
      logger: quiet,
    });
    const pass = async () => {
      const before = { ...target.http.counts };
      const t0 = process.hrtime.bigint();
      const cells = await reconciler.reconcile({ trigger: 'schedule', full: true }, await store.createRun({ trigger: 'schedule' }));
      const took = ms(t0);
      const requests: Record<string, number> = {};
      for (const [method, n] of Object.entries(target.http.counts)) if (n - (before[method] ?? 0)) requests[method] = n - (before[method] ?? 0);
      const result = {
        ms: took,
        cells: cells.length,
        notInSync: cells.filter(c => c.state !== 'in-sync').length,
        objectsWritten: cells.reduce((n, c) => n + c.created + c.updated + c.pruned, 0),
        requests,
        writes: WRITES.reduce((n, m) => n + (requests[m] ?? 0), 0),
      };
      process.stderr.write(`pass: ${JSON.stringify(result)}\n`);
      return result;
    };
    const first = await pass();
    const steady = await pass();
    const steadyAgain = await pass();

    // A hand edit that widens one AuthorizationPolicy, as kubectl edit would make it.
    const cell = reconciler.appliedCell('system:default/cell-0', 'development')!;
    const policy = cell.objects.find(o => o.kind === 'AuthorizationPolicy' && (o.spec as any)?.rules?.length)!;
    const apiPath = await objectPath(kubeconfig, policy);
    const live = (await rawRequest(kubeconfig, 'GET', apiPath)).body;
    let notified = 0;
    target.onChange(ref => {
      if (ref === cell.entityRef && !notified) notified = Date.now();
    });
    const t0 = Date.now();
    await rawRequest(
      kubeconfig,
      'PATCH',
      `${apiPath}?fieldManager=kubectl-edit`,
      { spec: { rules: [...live.spec.rules, { from: [{ source: { principals: ['*'] } }] }] } },
      'application/merge-patch+json',
    );
    let driftedMs = -1;
    while (Date.now() - t0 < 30_000) {
      if ((await target.observe(cell)).state === 'drifted') {
        driftedMs = Date.now() - t0;
        break;
      }
      await new Promise(r => setTimeout(r, 20));
    }
    await target.stop();
    await knex.destroy();
    const objects = reconciler.appliedState('development')!.objects.length;
    console.log(
      JSON.stringify({
        components,
        cells: Math.ceil(components / 10),
        objects,
        first,
        steady,
        steadyAgain,
        watchEventMs: notified ? notified - t0 : -1,
        driftedMs,
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      }),
    );
  } finally {
    await stopKubeTestEnv(state);
  }
  process.exit(0);
})().catch(e => {
  console.error(e);
  process.exit(1);
});
