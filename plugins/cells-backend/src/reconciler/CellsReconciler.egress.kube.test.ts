import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { buildCellModel, compileCells, EGRESS_LABEL, KubeObject } from '@cellplane/cells-common';
import { egressUnitRef, managedDiff } from '@cellplane/plugin-cells-node';
import { describeWithKube, rawRequest, testKubeConfig, uniqueName } from '@cellplane/kube-testenv';
import { artemisEntities } from '../__testUtils__/artemis';
import { ChangingCatalog } from '../__testUtils__/catalog';
import { CatalogCellSource } from '../catalog/CatalogCellSource';
import { readCellsBackendConfig } from '../config';
import { DatabaseCellsStore } from '../storage';
import { KubernetesTarget } from '../targets/kubernetes';
import { pathOf, until } from '../targets/kubernetes/__testUtils__/testCell';
import { CellsReconciler } from './CellsReconciler';

/**
 * The platform egress namespace through the Kubernetes target, on the real
 * API server of kube-testenv (the directory version: CellsReconciler.egress.test.ts):
 * written with its ServiceEntry, updated, pruned once no cell declares a host,
 * and pruned after a restart from the store's record or from the labels alone.
 */
jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
type HostEntry = { host?: string; port?: number; protocol?: string };

describeWithKube('CellsReconciler and the platform egress namespace on a Kubernetes target', () => {
  // An environment and an egress namespace of this run's own on the shared API server.
  const environment = uniqueName('egk');
  const egressNamespace = uniqueName('egress');
  const EGRESS = egressUnitRef(environment);
  const kubeconfig = testKubeConfig();
  const cellsConfig = {
    environments: [{ name: environment, target: { type: 'kubernetes', cluster: 'testenv' } }],
    egress: { namespace: egressNamespace },
  };
  const config = readCellsBackendConfig(new ConfigReader({ cells: cellsConfig }));
  const entities = (edit: (egress: HostEntry[]) => HostEntry[] = e => e): Entity[] =>
    artemisEntities().map(e => {
      if (e.kind === 'System') return { ...e, spec: { ...e.spec, cell: { ...(e.spec as any).cell, environments: [environment] } } };
      if (e.metadata.name === 'weather-station') return { ...e, spec: { ...e.spec, egress: edit(e.spec!.egress as HostEntry[]) } };
      return e;
    });
  const withoutHost = (egress: HostEntry[]) => egress.filter(e => !e.host);
  const withSecondPort = (egress: HostEntry[]) => [...egress, { host: 'api.weather.gov', port: 8443, protocol: 'TLS' }];
  const compiledEgress = (list: Entity[]): KubeObject[] => {
    const { model } = buildCellModel(list, { defaultEnvironments: config.settings.defaultEnvironments, knownEnvironments: [environment] });
    return compileCells(model, config.settings, { environment }).egress.find(e => e.environment === environment)?.objects ?? [];
  };
  const readBack = (o: KubeObject) => rawRequest(kubeconfig, 'GET', pathOf(o));
  const targets: KubernetesTarget[] = [];
  afterAll(() => Promise.all(targets.map(t => t.stop())));

  async function setup(catalog: ChangingCatalog, store?: DatabaseCellsStore) {
    const db = store ?? (await DatabaseCellsStore.create({ database: mockServices.database({ knex: await databases.init('SQLITE_3') }) }));
    const logger = mockServices.logger.mock();
    const target = new KubernetesTarget({ cluster: 'testenv', kubeconfig, environment, logger });
    targets.push(target);
    await target.start();
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const reconciler = new CellsReconciler({
      source: new CatalogCellSource({ catalog: catalog.service, auth: mockServices.auth() }),
      config,
      targets: new Map([[environment, target]]),
      store: db,
      logger,
      now: () => clock,
    });
    const reconcile = async (full = false) => reconciler.reconcile({ trigger: 'schedule', full }, await db.createRun({ trigger: 'schedule' }));
    return { store: db, target, reconcile, logger, advance: (ms: number) => (clock += ms) };
  }

  it('writes the egress namespace with its ServiceEntry, every object reading back as compiled; a full pass writes nothing', async () => {
    const t = await setup(new ChangingCatalog(entities()));
    const results = await t.reconcile();
    expect(results.map(r => r.entityRef)).not.toContain(EGRESS);
    const objects = compiledEgress(entities());
    expect(objects.map(o => o.kind)).toEqual(expect.arrayContaining(['Namespace', 'ServiceEntry', 'AuthorizationPolicy', 'Gateway', 'NetworkPolicy']));
    for (const o of objects) {
      const live = await readBack(o);
      expect([o.kind, o.metadata.name, live.status]).toEqual([o.kind, o.metadata.name, 200]);
      expect(managedDiff(o, live.body)).toEqual([]);
      expect(live.body.metadata.labels[EGRESS_LABEL]).toBe('true');
    }
    expect(t.logger.error).not.toHaveBeenCalled();
    expect(await t.target.listCells()).toContainEqual({ entityRef: EGRESS, cellName: '_egress', namespace: egressNamespace });
    expect((await t.store.listAppliedCells()).map(a => a.entityRef)).toContain(EGRESS);

    const versions = () => Promise.all(objects.map(async o => (await readBack(o)).body.metadata.resourceVersion));
    const before = await versions();
    const writes = t.target.http.writeCount();
    await t.reconcile(true);
    expect(t.target.http.writeCount()).toBe(writes);
    expect(await versions()).toEqual(before);
  });

  it("reports a hand edit of the host's policy as the unit's drift (the watch names egress:<env>) and a full pass repairs it", async () => {
    const t = await setup(new ChangingCatalog(entities()));
    const seen: string[] = [];
    t.target.onChange(ref => seen.push(ref));
    await t.reconcile();
    const objects = compiledEgress(entities());
    const policy = objects.find(o => o.kind === 'AuthorizationPolicy')!;
    const edit = await rawRequest(
      kubeconfig,
      'PATCH',
      `${pathOf(policy)}?fieldManager=kubectl-edit`,
      { spec: { action: 'AUDIT' } },
      'application/merge-patch+json',
    );
    expect(edit.status).toBe(200);
    const unit = { entityRef: EGRESS, cellName: '_egress', environment, namespace: egressNamespace, objects };
    const drifted = await until(
      'the edit seen',
      () => t.target.observe(unit),
      o => o.state === 'drifted',
    );
    expect(drifted.message).toContain(`AuthorizationPolicy ${policy.metadata.name} drifted (spec.action: "ALLOW" -> "AUDIT")`);
    expect(seen).toContain(EGRESS);
    await t.reconcile(true);
    expect((await readBack(policy)).body.spec.action).toBe('ALLOW');
    expect((await t.target.observe(unit)).state).toBe('in-sync');
  });

  it('updates the ServiceEntry and the host policy when a port is added, and prunes them once no cell declares a host', async () => {
    const catalog = new ChangingCatalog(entities());
    const t = await setup(catalog);
    await t.reconcile();
    const [entry] = compiledEgress(entities()).filter(o => o.kind === 'ServiceEntry');

    catalog.set(entities(withSecondPort).find(e => e.metadata.name === 'weather-station')!);
    await t.reconcile();
    const updated = compiledEgress(entities(withSecondPort));
    const live = await readBack(entry);
    expect(live.body.spec.ports.map((p: { number: number }) => p.number)).toEqual([443, 8443]);
    for (const o of updated) expect([o.kind, o.metadata.name, managedDiff(o, (await readBack(o)).body)]).toEqual([o.kind, o.metadata.name, []]);

    catalog.set(entities(withoutHost).find(e => e.metadata.name === 'weather-station')!);
    await t.reconcile();
    expect(compiledEgress(entities(withoutHost))).toEqual([]);
    for (const o of updated) {
      // The namespace stays, as a removed cell's does: it may hold what Cellplane does not own.
      expect([o.kind, (await readBack(o)).status]).toEqual([o.kind, o.kind === 'Namespace' ? 200 : 404]);
    }
    expect((await t.store.listAppliedCells()).map(a => a.entityRef)).not.toContain(EGRESS);
    expect((await t.target.listCells()).map(h => h.entityRef)).not.toContain(EGRESS);
    // The cells stay as they were.
    expect((await t.target.listCells()).map(h => h.entityRef)).toContain('system:default/kennedy');

    catalog.set(entities().find(e => e.metadata.name === 'weather-station')!);
    await t.reconcile();
    expect((await readBack(entry)).status).toBe(200);
  });

  it('prunes it after a restart: from the store record, and from the labels alone when the database is new', async () => {
    for (const fresh of [false, true]) {
      const first = await setup(new ChangingCatalog(entities()));
      await first.reconcile();
      const [entry] = compiledEgress(entities()).filter(o => o.kind === 'ServiceEntry');
      expect((await readBack(entry)).status).toBe(200);
      await first.target.stop();

      // A new process (a new target: its live cache starts empty), the host gone from the catalog.
      const t = await setup(new ChangingCatalog(entities(withoutHost)), fresh ? undefined : first.store);
      await t.reconcile();
      // Never seen declared by this process: kept until the catalog has been read whole.
      expect([fresh, (await readBack(entry)).status]).toEqual([fresh, 200]);
      t.advance(24 * 3600_000);
      await t.reconcile();
      expect([fresh, (await readBack(entry)).status]).toEqual([fresh, 404]);
      expect((await t.store.listAppliedCells()).map(a => a.entityRef)).not.toContain(EGRESS);
    }
  });
});
