import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { parseAllDocuments } from 'yaml';
import { ConfigReader } from '@backstage/config';
import { buildCellModel, compileCells, DEFAULT_SETTINGS } from '@cellplane/cells-common';
import { artemisEntities } from '../__testUtils__/artemis';
import { readCellsBackendConfig } from '../config';
import { CatalogCellSource } from '../catalog/CatalogCellSource';
import { DatabaseCellsStore } from '../storage';
import { DirectoryTarget } from '../targets/directory';
import { DefaultCellsService } from '../service/DefaultCellsService';
import { unrestrictedCellAccess } from '../service/CellsService';
import { ChangingCatalog } from '../__testUtils__/catalog';
import { CellsReconciler } from './CellsReconciler';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const withSpec = (entity: Entity, spec: object): Entity => ({ ...entity, spec: { ...entity.spec, ...spec } });

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cells-reconciler-'));
  const folder = path.join(dir, 'development');
  const config = readCellsBackendConfig(new ConfigReader({ cells: { environments: [{ name: 'development', target: { type: 'directory', path: folder } }] } }));
  const knex = await databases.init('SQLITE_3');
  const store = await DatabaseCellsStore.create({ database: mockServices.database({ knex }) });
  const logger = mockServices.logger.mock();
  const target = new DirectoryTarget({ path: folder, commit: false, environment: 'development', logger });
  const targets = new Map([['development', target]]);
  const catalog = new ChangingCatalog(artemisEntities());
  const reconciler = new CellsReconciler({
    source: new CatalogCellSource({ catalog: catalog.service, auth: mockServices.auth() }),
    config,
    targets,
    store,
    logger,
  });
  let runs = 0;
  const reconcile = async (full = false) => {
    const runId = await store.createRun({ trigger: 'schedule' });
    runs++;
    return reconciler.reconcile({ trigger: 'schedule', full }, runId);
  };
  const service = new DefaultCellsService({ reconciler, store, config, targets, requestRun: async () => 'unused' });
  const read = (cell: string) => fs.readFileSync(path.join(folder, `${cell}.yaml`), 'utf8');
  const objectsIn = (cell: string) =>
    parseAllDocuments(read(cell))
      .map(d => d.toJS())
      .filter(Boolean);
  return { dir, folder, store, catalog, reconciler, reconcile, service, read, objectsIn, runs: () => runs };
}

const entity = (catalog: ChangingCatalog, ref: string) => catalog.get(ref)!;

describe('CellsReconciler against a changing catalog', () => {
  it('writes every cell object for object as the compiler renders it, then nothing when nothing changed', async () => {
    const t = await setup();
    const results = await t.reconcile();
    expect(results.map(r => [r.entityRef, r.state])).toEqual([
      ['system:default/deep-space-network', 'in-sync'],
      ['system:default/esa-ops', 'in-sync'],
      ['system:default/houston', 'in-sync'],
      ['system:default/kennedy', 'in-sync'],
      ['system:default/orion', 'in-sync'],
    ]);
    const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: DEFAULT_SETTINGS.defaultEnvironments });
    for (const cell of compileCells(model, DEFAULT_SETTINGS).cells) {
      expect(t.objectsIn(cell.cellName)).toEqual(cell.objects);
    }
    const list = await t.service.listCells(unrestrictedCellAccess);
    expect(list.items.map(i => i.environments[0].state)).toEqual(['in-sync', 'in-sync', 'in-sync', 'in-sync', 'in-sync']);

    const mtimes = fs.readdirSync(t.folder).map(f => fs.statSync(path.join(t.folder, f)).mtimeMs);
    const again = await t.reconcile(true);
    expect(again.every(r => r.created + r.updated + r.pruned === 0)).toBe(true);
    expect(fs.readdirSync(t.folder).map(f => fs.statSync(path.join(t.folder, f)).mtimeMs)).toEqual(mtimes);
    const history = await t.store.listHistory({ limit: 100 });
    expect(history.items).toHaveLength(5); // the first pass only
  });

  it('shows an added connection in the plan first, then in the folder and the history with its access diff', async () => {
    const t = await setup();
    await t.reconcile();
    const capcom = entity(t.catalog, 'component:default/capcom');
    const connections = [
      ...((capcom.spec as any).connections ?? []),
      { to: 'flight-dynamics', endpoint: 'http', methods: ['POST'], paths: ['/course-correction'] },
    ];
    t.catalog.set(withSpec(capcom, { connections }));

    const plan = await t.service.getPlan('system:default/houston', 'development', unrestrictedCellAccess);
    expect(plan.update.map(o => `${o.kind}/${o.name}`)).toEqual(expect.arrayContaining(['AuthorizationPolicy/flight-dynamics']));
    expect(plan.create).toEqual([]);
    expect(plan.accessDiff.added.map(a => a.text)).toContain('houston/capcom may now POST /course-correction on houston/flight-dynamics');
    expect(plan.accessDiff.removed).toEqual([]);
    expect((await t.service.listCells(unrestrictedCellAccess)).items.find(i => i.entityRef === 'system:default/houston')!.environments[0].state).toBe(
      'pending',
    );
    expect(t.read('houston')).not.toContain('/course-correction');

    const results = await t.reconcile();
    // Cells linked to capcom are recompiled; only houston's objects change.
    expect(results.map(r => r.entityRef)).toContain('system:default/orion');
    expect(results.filter(r => r.created + r.updated + r.pruned > 0).map(r => r.entityRef)).toEqual(['system:default/houston']);
    expect((await t.store.listHistory({ limit: 100 })).items).toHaveLength(6);
    expect(t.read('houston')).toContain('/course-correction');
    const { items } = await t.store.listHistory({ entityRef: 'system:default/houston', limit: 10 });
    expect(items[0].cause).toEqual({ kind: 'entity-change', entities: [{ entityRef: 'component:default/capcom', change: 'updated' }] });
    expect(items[0].accessDiff.added.map(a => a.text)).toContain('houston/capcom may now POST /course-correction on houston/flight-dynamics');
    expect(items[0].summary).toMatch(/updated.*newly allowed/);
  });

  it('removes a deleted component’s objects from the folder', async () => {
    const t = await setup();
    await t.reconcile();
    expect(t.read('kennedy')).toContain('name: pad-operations');
    // Nobody calls pad-operations from outside kennedy; drop callers' connections to it first.
    for (const e of artemisEntities()) {
      const conns = (e.spec as any)?.connections as any[] | undefined;
      if (conns?.some(c => c.to === 'pad-operations')) t.catalog.set(withSpec(e, { connections: conns.filter(c => c.to !== 'pad-operations') }));
    }
    t.catalog.remove('component:default/pad-operations');
    const results = await t.reconcile();
    expect(results.find(r => r.entityRef === 'system:default/kennedy')!.pruned).toBeGreaterThan(0);
    expect(t.read('kennedy')).not.toContain('name: pad-operations');
  });

  it('keeps a cell at its last good compilation while an entity of it is invalid, and says why', async () => {
    const t = await setup();
    await t.reconcile();
    const before = t.read('houston');
    const capcom = entity(t.catalog, 'component:default/capcom');
    t.catalog.set(withSpec(capcom, { endpoints: [{ name: 'http', port: 15008, protocol: 'HTTP', visibility: 'project' }] }));
    const results = await t.reconcile();
    const houston = results.find(r => r.entityRef === 'system:default/houston')!;
    expect(houston.state).toBe('error');
    expect(t.read('houston')).toBe(before);
    const detail = await t.service.getCell('system:default/houston', unrestrictedCellAccess);
    expect(detail.problems.map(p => `${p.entityRef} ${p.field}`)).toContain('component:default/capcom spec.endpoints[0].port');
    const status = (await t.service.listCells(unrestrictedCellAccess)).items.find(i => i.entityRef === 'system:default/houston')!.environments[0];
    expect(status.state).toBe('error');
    expect(status.message).toMatch(/held at its last good compilation: .*component:default\/capcom: spec.endpoints\[0\].port/);
  });

  it('brings a held cell to its compilation once the bad entity is removed, without a restart', async () => {
    const t = await setup();
    await t.reconcile();
    const before = t.read('houston');
    // A new component joins houston with an endpoint on a port the mesh reserves, and houston is held.
    const intruder = { ...entity(t.catalog, 'component:default/capcom'), metadata: { name: 'intruder', namespace: 'default' } };
    t.catalog.set(withSpec(intruder, { connections: [], endpoints: [{ name: 'http', port: 15008, protocol: 'HTTP', visibility: 'project' }] }));
    const held = await t.reconcile();
    expect(held.find(r => r.entityRef === 'system:default/houston')!.state).toBe('error');
    // Meanwhile a valid change to houston waits behind the problem.
    const capcom = entity(t.catalog, 'component:default/capcom');
    t.catalog.set(
      withSpec(capcom, {
        connections: [...(capcom.spec as any).connections, { to: 'flight-dynamics', endpoint: 'http', methods: ['POST'], paths: ['/course-correction'] }],
      }),
    );
    await t.reconcile();
    expect(t.read('houston')).toBe(before);
    // The invalid entity is deleted: nothing holds houston any more, and it catches up on the next (not full) pass.
    t.catalog.remove('component:default/intruder');
    const results = await t.reconcile();
    expect(results.find(r => r.entityRef === 'system:default/houston')).toMatchObject({ state: 'in-sync' });
    expect(t.read('houston')).toContain('/course-correction');
    const status = (await t.service.listCells(unrestrictedCellAccess)).items.find(i => i.entityRef === 'system:default/houston')!.environments[0];
    expect(status.state).toBe('in-sync');
  });

  it('survives a hostile entity whose objects collide (a component named default-deny), and recovers once it is removed', async () => {
    const t = await setup();
    await t.reconcile();
    const before = t.read('houston');
    const capcom = entity(t.catalog, 'component:default/capcom');
    t.catalog.set({ ...capcom, metadata: { name: 'default-deny', namespace: 'default' }, spec: { ...capcom.spec, connections: [] } } as Entity);
    // The core names its objects apart from the cell's (docs/compiler.md#object-names); whatever it makes of it, the pass completes and records every cell.
    const attacked = await t.reconcile();
    expect(attacked.map(r => r.entityRef)).toContain('system:default/houston');
    expect(attacked.filter(r => r.entityRef !== 'system:default/houston').every(r => r.state === 'in-sync')).toBe(true);
    expect((await t.store.listStatuses()).map(s => s.entityRef)).toHaveLength(5);
    t.catalog.remove('component:default/default-deny');
    const recovered = await t.reconcile();
    expect(recovered.find(r => r.entityRef === 'system:default/houston')!.state).toBe('in-sync');
    expect(t.read('houston')).toBe(before);
    const status = (await t.service.listCells(unrestrictedCellAccess)).items.find(i => i.entityRef === 'system:default/houston')!.environments[0];
    expect(status.state).toBe('in-sync');
  });

  it('keeps reconciling a cell that an intruder of another catalog namespace tries to join (issue 18)', async () => {
    const t = await setup();
    await t.reconcile();
    const spy: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'spy', namespace: 'evil' },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: 'group:evil/spies',
        system: 'system:default/houston',
        endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
      },
    };
    t.catalog.set(spy);
    // houston's own team revokes a call meanwhile: the change must still be applied.
    const capcom = entity(t.catalog, 'component:default/capcom');
    t.catalog.set(withSpec(capcom, { connections: [] }));
    const results = await t.reconcile();
    expect(results.find(r => r.entityRef === 'system:default/houston')!.state).toBe('in-sync');
    expect(t.read('houston')).not.toContain('spy');
    expect((await t.service.getCell('system:default/houston', unrestrictedCellAccess)).problems).toEqual([]);
  });
});

describe('pendingCells', () => {
  it('answers the same set until a catalog change or a pass changes it', async () => {
    const t = await setup();
    await t.reconciler.syncCatalog();
    const before = t.reconciler.pendingCells();
    expect(before.size).toBe(5);
    expect(t.reconciler.pendingCells()).toBe(before);
    await t.reconcile();
    const after = t.reconciler.pendingCells();
    expect(after.size).toBe(0);
    expect(t.reconciler.pendingCells()).toBe(after);
    const capcom = entity(t.catalog, 'component:default/capcom');
    t.catalog.set(withSpec(capcom, { description: 'changed' }));
    await t.reconciler.syncCatalog();
    expect([...t.reconciler.pendingCells()]).toContain('system:default/houston');
  });
});
