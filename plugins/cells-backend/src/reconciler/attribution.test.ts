import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { addConnectionAction } from '@cellplane/plugin-scaffolder-backend-module-cells';
import { JsonArray } from '@backstage/types';
import { parseAllDocuments } from 'yaml';
import { ARTEMIS_DIR, artemisEntities } from '../__testUtils__/artemis';
import { ChangingCatalog } from '../__testUtils__/catalog';
import { CatalogCellSource } from '../catalog/CatalogCellSource';
import { readCellsBackendConfig } from '../config';
import { DatabaseCellsStore, NewHistoryEntry } from '../storage';
import { DirectoryTarget } from '../targets/directory';
import { CHANGE_BY, ChangeAttribution, gitAttribution } from './attribution';
import { CellsReconciler } from './CellsReconciler';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const HOUSTON = 'system:default/houston';
/** capcom's last call in houston.yaml (after its name; flight-director's calls read the same). */
const CAPCOM_LAST_CALL = /(name: capcom\n[\s\S]*? {4}- \{ to: signal-router, endpoint: http, methods: \[GET\] \}\n)/;
const CAPCOM = 'component:default/capcom';

async function setup(entities: Entity[], attribution?: ChangeAttribution) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cells-attribution-'));
  const folder = path.join(dir, 'development');
  const config = readCellsBackendConfig(new ConfigReader({ cells: { environments: [{ name: 'development', target: { type: 'directory', path: folder } }] } }));
  const knex = await databases.init('SQLITE_3');
  const store = await DatabaseCellsStore.create({ database: mockServices.database({ knex }) });
  const logger = mockServices.logger.mock();
  const catalog = new ChangingCatalog(entities);
  const audit = { events: [] as unknown[], record: async (events: unknown[]) => void audit.events.push(...events) };
  const reconciler = new CellsReconciler({
    source: new CatalogCellSource({ catalog: catalog.service, auth: mockServices.auth() }),
    config,
    targets: new Map([['development', new DirectoryTarget({ path: folder, commit: false, environment: 'development', logger })]]),
    store,
    logger,
    attribution,
    audit,
  });
  const reconcile = async () => reconciler.reconcile({ trigger: 'schedule', full: false }, await store.createRun({ trigger: 'schedule' }));
  return { dir, catalog, store, reconcile, audit };
}

/** The entities of one catalog file, as the catalog reads them from it. */
const entitiesIn = (file: string): Entity[] => parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS() as Entity);

describe('who made an access change, its link and why', () => {
  it('a change through the connection template records its user, reason, link and access diff in the history', async () => {
    const t = await setup(artemisEntities());
    await t.reconcile();
    // The real action, run as the scaffolder runs it for alice, on houston's file in the task's workspace.
    const workspace = path.join(t.dir, 'workspace');
    fs.mkdirSync(workspace);
    fs.copyFileSync(path.join(ARTEMIS_DIR, 'houston.yaml'), path.join(workspace, 'catalog-info.yaml'));
    const deps = {
      catalog: t.catalog.service,
      auth: mockServices.auth(),
      config: new ConfigReader({ app: { baseUrl: 'https://portal.example' }, cells: {} }),
    };
    const ctx = createMockActionContext({
      input: { from: 'capcom', to: 'weather-station', endpoint: 'http', methods: ['GET'], paths: ['/conditions'], reason: 'capcom reads the launch weather' },
      workspacePath: workspace,
      user: { ref: 'user:default/alice' },
      task: { id: 'task-42' },
    });
    await addConnectionAction(deps).handler(ctx as any);
    const capcom = entitiesIn(path.join(workspace, 'catalog-info.yaml')).find(e => stringifyEntityRef(e) === CAPCOM)!;
    expect(capcom.metadata.annotations).toMatchObject({ [CHANGE_BY]: 'user:default/alice' });

    // Published: the catalog now serves the edited capcom; the next pass applies it.
    t.catalog.set(capcom);
    await t.reconcile();
    const { items } = await t.store.listHistory({ entityRef: HOUSTON, limit: 10 });
    const change = items[0];
    expect(change.cause).toEqual({ kind: 'entity-change', entities: [{ entityRef: CAPCOM, change: 'updated' }] });
    expect(change).toMatchObject({
      by: 'user:default/alice',
      reason: 'capcom reads the launch weather',
      link: 'https://portal.example/create/tasks/task-42',
    });
    expect(change.accessDiff.added.map(a => [a.from, a.to, a.method, a.path])).toEqual([['houston/capcom', 'kennedy/weather-station', 'GET', '/conditions']]);
    expect(change.accessDiff.removed).toEqual([]);

    // A later edit by hand leaves the annotations behind: it is not the template's change and is not attributed to alice.
    t.catalog.set({
      ...capcom,
      metadata: { ...capcom.metadata, description: 'edited by hand' },
      spec: { ...capcom.spec, connections: (capcom.spec!.connections as JsonArray).slice(0, -1) },
    });
    await t.reconcile();
    const [later] = (await t.store.listHistory({ entityRef: HOUSTON, limit: 1 })).items;
    expect(later.accessDiff.removed).toHaveLength(1);
    expect(later).not.toHaveProperty('by');
    expect(later).not.toHaveProperty('reason');
  });

  it("without a template change, a catalog file in a git work tree gives its last commit's author, commit and subject", async () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cells-git-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('config', 'user.name', 'Bob Builder');
    git('config', 'user.email', 'bob@example.com');
    git('config', 'commit.gpgsign', 'false');
    git('remote', 'add', 'origin', 'https://git.example/artemis/catalog.git');
    const file = path.join(repo, 'houston.yaml');
    fs.copyFileSync(path.join(ARTEMIS_DIR, 'houston.yaml'), file);
    git('add', '.');
    git('commit', '-q', '-m', 'houston: catalog');
    const located = (e: Entity): Entity => ({ ...e, metadata: { ...e.metadata, annotations: { 'backstage.io/managed-by-location': `file:${file}` } } });
    const t = await setup(artemisEntities().map(e => (e.metadata.name === 'capcom' ? located(e) : e)));
    await t.reconcile();

    // Bob commits a new call of capcom's; the catalog reads the committed file.
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace(CAPCOM_LAST_CALL, '$1    - { to: weather-station, endpoint: http, methods: [GET], paths: [/conditions] }\n'));
    git('commit', '-q', '-am', 'capcom reads the weather before each go/no-go');
    const sha = git('rev-parse', 'HEAD');
    expect(await gitAttribution(file)).toEqual({
      by: 'Bob Builder <bob@example.com>',
      link: `https://git.example/artemis/catalog/commit/${sha}`,
      reason: 'capcom reads the weather before each go/no-go',
    });
    const edited = entitiesIn(file).find(e => stringifyEntityRef(e) === CAPCOM)!;
    expect(JSON.stringify(edited.spec?.connections)).toContain('weather-station');
    t.catalog.set(located(edited));
    const results = await t.reconcile();
    expect(results.find(r => r.entityRef === HOUSTON)).toMatchObject({ state: 'in-sync', updated: 1 });
    const [change] = (await t.store.listHistory({ entityRef: HOUSTON, limit: 1 })).items;
    expect(change).toMatchObject({ by: 'Bob Builder <bob@example.com>', link: `https://git.example/artemis/catalog/commit/${sha}` });
    expect(change.accessDiff.added.map(a => [a.from, a.to])).toEqual([['houston/capcom', 'kennedy/weather-station']]);

    // An uncommitted edit is nobody's commit: nothing is claimed.
    fs.appendFileSync(file, '\n');
    expect(await gitAttribution(file)).toBeUndefined();
  });

  it('records an enforcement change in the audit trail, naming who made it', async () => {
    const t = await setup(artemisEntities());
    await t.reconcile();
    const houston = t.catalog.get(HOUSTON)!;
    t.catalog.set({
      ...houston,
      metadata: {
        ...houston.metadata,
        annotations: { [CHANGE_BY]: 'user:default/carol', 'cellplane.io/change-reason': 'audit first', 'cellplane.io/change-id': 't-7' },
      },
      spec: { ...houston.spec, cell: { ...(houston.spec!.cell as object), enforcement: 'audit' } },
    });
    await t.reconcile();
    expect(t.audit.events).toEqual([
      {
        action: 'enforcement-change',
        entityRef: HOUSTON,
        environment: 'development',
        actor: 'user:default/carol',
        outcome: 'succeeded',
        detail: { from: 'enforce', to: 'audit', reason: 'audit first' },
      },
    ]);
  });

  it('attributes a template change in every environment, and not again in the next pass of that environment', async () => {
    const attribution = new ChangeAttribution({ git: async () => ({ by: 'a commit author' }) });
    const capcom = artemisEntities().find(e => e.metadata.name === 'capcom')!;
    const annotated = { ...capcom, metadata: { ...capcom.metadata, annotations: { [CHANGE_BY]: 'user:default/alice', 'cellplane.io/change-id': 't-1' } } };
    const entities = new Map([[CAPCOM, annotated]]);
    const entry = (environment: string): NewHistoryEntry => ({
      entityRef: HOUSTON,
      environment,
      runId: 'r',
      summary: '',
      cause: { kind: 'entity-change', entities: [{ entityRef: CAPCOM, change: 'updated' }] },
      created: [],
      updated: [],
      pruned: [],
      accessDiff: { added: [], removed: [] },
    });
    const development = entry('development');
    const production = entry('production');
    await attribution.attribute('development', [development], entities);
    await attribution.attribute('production', [production], entities);
    expect([development.by, production.by]).toEqual(['user:default/alice', 'user:default/alice']);
    // The same annotations in a later pass are an earlier change: not the template's user (here no file either).
    const later = entry('development');
    await attribution.attribute('development', [later], entities);
    expect(later).not.toHaveProperty('by');
  });
});
