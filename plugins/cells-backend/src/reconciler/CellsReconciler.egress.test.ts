import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { buildCellModel, compileCells, DEFAULT_SETTINGS, EGRESS_FILE_NAME, toYaml } from '@cellplane/cells-common';
import { egressUnitRef } from '@cellplane/plugin-cells-node';
import { artemisEntities } from '../__testUtils__/artemis';
import { ChangingCatalog } from '../__testUtils__/catalog';
import { CatalogCellSource } from '../catalog/CatalogCellSource';
import { readCellsBackendConfig } from '../config';
import { DefaultCellsService } from '../service/DefaultCellsService';
import { unrestrictedCellAccess } from '../service/CellsService';
import { DatabaseCellsStore } from '../storage';
import { DirectoryTarget } from '../targets/directory';
import { CellsReconciler } from './CellsReconciler';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const WEATHER = 'component:default/weather-station';
const EGRESS = egressUnitRef('development');

/** weather-station without its external host (its database CIDR stays): no cell of Artemis declares a host any more. */
function withoutHost(entity: Entity): Entity {
  const egress = (entity.spec!.egress as { host?: string }[]).filter(e => !e.host);
  return { ...entity, spec: { ...entity.spec, egress } };
}

async function setup(
  store?: DatabaseCellsStore,
  catalog = new ChangingCatalog(artemisEntities()),
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cells-egress-')),
) {
  const folder = path.join(dir, 'development');
  const config = readCellsBackendConfig(new ConfigReader({ cells: { environments: [{ name: 'development', target: { type: 'directory', path: folder } }] } }));
  const db = store ?? (await DatabaseCellsStore.create({ database: mockServices.database({ knex: await databases.init('SQLITE_3') }) }));
  const logger = mockServices.logger.mock();
  const targets = new Map([['development', new DirectoryTarget({ path: folder, commit: false, environment: 'development', logger })]]);
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const reconciler = new CellsReconciler({
    source: new CatalogCellSource({ catalog: catalog.service, auth: mockServices.auth() }),
    config,
    targets,
    store: db,
    logger,
    now: () => clock,
  });
  const reconcile = async (full = false) => reconciler.reconcile({ trigger: 'schedule', full }, await db.createRun({ trigger: 'schedule' }));
  const service = new DefaultCellsService({ reconciler, store: db, config, targets, requestRun: async () => 'unused' });
  const egressFile = path.join(folder, EGRESS_FILE_NAME);
  return { dir, folder, store: db, catalog, reconcile, service, egressFile, logger, advance: (ms: number) => (clock += ms) };
}

describe('CellsReconciler and the platform egress namespace', () => {
  it('writes _egress.yaml as `cellplane render` does, lists it in the kustomization, and shows it as no cell', async () => {
    const t = await setup();
    const results = await t.reconcile();
    const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: DEFAULT_SETTINGS.defaultEnvironments });
    const [egress] = compileCells(model, DEFAULT_SETTINGS, { environment: 'development' }).egress;
    expect(egress.objects.some(o => o.kind === 'ServiceEntry')).toBe(true);
    const written = fs.readFileSync(t.egressFile, 'utf8');
    expect(written).toMatch(/^# Managed by Cellplane: the platform egress namespace of environment development\./);
    // The same bytes `cellplane render --out` writes to <env>/_egress.yaml.
    expect(written.slice(written.indexOf('\n') + 1)).toBe(toYaml(egress.objects));
    expect(fs.readFileSync(path.join(t.folder, 'kustomization.yaml'), 'utf8')).toContain(`- ${EGRESS_FILE_NAME}`);

    expect(results.map(r => r.entityRef)).not.toContain(EGRESS);
    const list = await t.service.listCells(unrestrictedCellAccess);
    expect(list.items.map(i => i.entityRef)).not.toContain(EGRESS);
    const history = await t.service.listHistory({ limit: 100 }, unrestrictedCellAccess);
    expect(history.items.map(i => i.entityRef)).not.toContain(EGRESS);
    expect((await t.store.listAppliedCells()).map(a => a.entityRef)).toContain(EGRESS);

    const before = fs.statSync(t.egressFile).mtimeMs;
    await t.reconcile(true);
    expect(fs.statSync(t.egressFile).mtimeMs).toBe(before);
  });

  it('prunes _egress.yaml once no cell declares a host, and writes it again when one does', async () => {
    const t = await setup();
    await t.reconcile();
    const weather = t.catalog.get(WEATHER)!;
    t.catalog.set(withoutHost(weather));
    await t.reconcile();
    expect(fs.existsSync(t.egressFile)).toBe(false);
    expect(fs.readFileSync(path.join(t.folder, 'kustomization.yaml'), 'utf8')).not.toContain(EGRESS_FILE_NAME);
    expect((await t.store.listAppliedCells()).map(a => a.entityRef)).not.toContain(EGRESS);
    expect(fs.existsSync(path.join(t.folder, 'kennedy.yaml'))).toBe(true);

    t.catalog.set(weather);
    await t.reconcile();
    expect(fs.existsSync(t.egressFile)).toBe(true);
  });

  it('prunes it after a restart from the recorded unit, once the catalog has been read for a full interval', async () => {
    const first = await setup();
    await first.reconcile();
    // A new process, same database and folder, and a catalog where the host is gone.
    const catalog = new ChangingCatalog(artemisEntities().map(e => (e.metadata.name === 'weather-station' ? withoutHost(e) : e)));
    const t = await setup(first.store, catalog, first.dir);
    await t.reconcile();
    // Never seen declared by this process: kept until the catalog has been read whole.
    expect(fs.existsSync(t.egressFile)).toBe(true);
    t.advance(24 * 3600_000);
    await t.reconcile();
    expect(fs.existsSync(t.egressFile)).toBe(false);
  });

  it('prunes an _egress.yaml the database never recorded, from the folder itself', async () => {
    const first = await setup();
    await first.reconcile();
    const catalog = new ChangingCatalog(artemisEntities().map(e => (e.metadata.name === 'weather-station' ? withoutHost(e) : e)));
    const t = await setup(undefined, catalog, first.dir);
    await t.reconcile();
    t.advance(24 * 3600_000);
    await t.reconcile();
    expect(fs.existsSync(t.egressFile)).toBe(false);
  });
});
