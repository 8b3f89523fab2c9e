import fs from 'node:fs';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import { cellsMigrationsDir, DatabaseCellsStore } from './DatabaseCellsStore';
import { POSTGRES_UNAVAILABLE_ENV, storageTestDatabaseIds } from './__testUtils__/testPostgres';
import { HOUSTON, largeObjects, ORION, setupStore, status, TABLES } from './__testUtils__/storeFixtures';
import { GoodCompilation } from './types';

jest.setTimeout(60_000);

// SQLite, and the real PostgreSQL the package's jest global setup started
// (src/jest/globalSetup.ts) or that the environment names.
const ids = storageTestDatabaseIds();
const databases = TestDatabases.create({ ids });
const setup = (id: string) => setupStore(databases, id);

describe('the test databases', () => {
  it('include a real PostgreSQL, unless the global setup skipped it loudly outside CI', () => {
    // Without PostgreSQL the global setup printed a banner and set the
    // variable; under CI=true it failed the run instead.
    const skipped = !!process.env[POSTGRES_UNAVAILABLE_ENV];
    const postgres = ids.filter(id => id.startsWith('POSTGRES_'));
    expect(postgres).toHaveLength(skipped ? 0 : 1);
    expect(postgres.every(id => databases.supports(id))).toBe(true);
    expect(ids).toContain('SQLITE_3');
  });
});

describe.each(databases.eachSupportedId())('DatabaseCellsStore on %s', id => {
  it('migrates to the latest schema, does nothing when run again, and rolls back', async () => {
    const { knex } = await setup(id);
    for (const table of TABLES) expect(await knex.schema.hasTable(table)).toBe(true);

    const [, again] = await knex.migrate.latest({
      directory: cellsMigrationsDir(),
    });
    expect(again).toEqual([]);
    // A second store on the same database migrates nothing and reads the same rows.
    const first = await DatabaseCellsStore.create({
      database: mockServices.database({ knex }),
    });
    const runId = await first.createRun({ trigger: 'startup' });
    const second = await DatabaseCellsStore.create({
      database: mockServices.database({ knex }),
    });
    expect((await second.getRun(runId))?.state).toBe('running');

    await knex.migrate.rollback({ directory: cellsMigrationsDir() }, true);
    for (const table of TABLES) expect(await knex.schema.hasTable(table)).toBe(false);
    const [, reapplied] = await knex.migrate.latest({
      directory: cellsMigrationsDir(),
    });
    expect(reapplied).toEqual(
      fs
        .readdirSync(cellsMigrationsDir())
        .filter(f => f.endsWith('.js'))
        .sort(),
    );
    for (const table of TABLES) expect(await knex.schema.hasTable(table)).toBe(true);
  });

  it('leaves the schema alone when the database service says to skip migrations', async () => {
    const knex = await databases.init(id);
    await DatabaseCellsStore.create({
      database: mockServices.database({ knex, migrations: { skip: true } }),
    });
    expect(await knex.schema.hasTable('cells_runs')).toBe(false);
  });

  it('records a run from start to finish', async () => {
    const { store } = await setup(id);
    const before = Date.now();
    const runId = await store.createRun({
      trigger: 'api',
      requestedBy: 'user:default/jane',
      entityRef: HOUSTON,
    });
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);

    const running = await store.getRun(runId);
    expect(running).toEqual({
      runId,
      state: 'running',
      trigger: 'api',
      requestedBy: 'user:default/jane',
      startedAt: expect.any(String),
      cells: [],
    });
    const startedAt = Date.parse(running!.startedAt);
    expect(running!.startedAt).toBe(new Date(startedAt).toISOString());
    expect(startedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(startedAt).toBeLessThanOrEqual(Date.now() + 1000);

    const cells = [
      {
        entityRef: HOUSTON,
        environment: 'development',
        state: 'in-sync' as const,
        message: '',
        created: 3,
        updated: 1,
        pruned: 0,
      },
    ];
    await store.finishRun(runId, { state: 'succeeded', cells });
    const finished = await store.getRun(runId);
    expect(finished).toMatchObject({ runId, state: 'succeeded', cells });
    expect(finished!.error).toBeUndefined();
    expect(Date.parse(finished!.finishedAt!)).toBeGreaterThanOrEqual(startedAt);

    const failedId = await store.createRun({ trigger: 'schedule' });
    await store.finishRun(failedId, {
      state: 'failed',
      cells: [],
      error: 'target unavailable',
    });
    const failed = await store.getRun(failedId);
    expect(failed).toMatchObject({
      state: 'failed',
      trigger: 'schedule',
      error: 'target unavailable',
      cells: [],
    });
    expect(failed!.requestedBy).toBeUndefined();

    expect(await store.getRun('00000000-0000-0000-0000-000000000000')).toBeUndefined();
    await expect(
      store.finishRun('00000000-0000-0000-0000-000000000000', {
        state: 'succeeded',
        cells: [],
      }),
    ).rejects.toThrow(NotFoundError);
  });

  it('marks runs left running as failed, and only those', async () => {
    const { store } = await setup(id);
    const abandoned = [await store.createRun({ trigger: 'schedule' }), await store.createRun({ trigger: 'catalog-change' })];
    const done = await store.createRun({ trigger: 'startup' });
    await store.finishRun(done, { state: 'succeeded', cells: [] });

    expect(await store.failAbandonedRuns('the backend stopped before the run finished')).toBe(2);
    for (const runId of abandoned) {
      const run = await store.getRun(runId);
      expect(run).toMatchObject({
        state: 'failed',
        error: 'the backend stopped before the run finished',
      });
      expect(run!.finishedAt).toEqual(expect.any(String));
    }
    expect(await store.getRun(done)).toMatchObject({ state: 'succeeded' });
    expect((await store.getRun(done))!.error).toBeUndefined();
    expect(await store.failAbandonedRuns('again')).toBe(0);
  });

  it('upserts, lists, filters and deletes cell statuses', async () => {
    const { store } = await setup(id);
    await store.upsertStatuses([
      status(ORION, 'production'),
      status(HOUSTON, 'production', {
        target: { type: 'kubernetes', cluster: 'prod-eu' },
      }),
      status(HOUSTON, 'development'),
      status(ORION, 'development', {
        lastReconciledAt: undefined,
        state: 'pending',
        message: 'not reconciled yet',
      }),
    ]);

    const all = await store.listStatuses();
    expect(all.map(s => `${s.entityRef} ${s.environment}`)).toEqual([
      `${HOUSTON} development`,
      `${HOUSTON} production`,
      `${ORION} development`,
      `${ORION} production`,
    ]);
    expect(all[0]).toEqual(status(HOUSTON, 'development'));
    expect(all[1].target).toEqual({ type: 'kubernetes', cluster: 'prod-eu' });
    expect(all[2]).toEqual(
      status(ORION, 'development', {
        lastReconciledAt: undefined,
        state: 'pending',
        message: 'not reconciled yet',
      }),
    );
    expect('lastReconciledAt' in all[2]).toBe(false);

    expect((await store.listStatuses({ entityRef: HOUSTON })).map(s => s.environment)).toEqual(['development', 'production']);
    expect((await store.listStatuses({ environment: 'development' })).map(s => s.entityRef)).toEqual([HOUSTON, ORION]);
    expect(await store.listStatuses({ entityRef: ORION, environment: 'production' })).toEqual([status(ORION, 'production')]);
    expect(await store.listStatuses({ entityRef: 'system:default/nowhere' })).toEqual([]);

    const drifted = status(HOUSTON, 'development', {
      state: 'drifted',
      message: '1 object drifted',
      lastReconciledAt: '2026-11-23T11:30:00.000Z',
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          name: 'houston',
          state: 'in-sync',
        },
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          namespace: 'houston',
          name: 'capcom',
          state: 'drifted',
          diff: ['spec.ingress[0].ports[0].port: 8080 -> 9090'],
        },
      ],
    });
    await store.upsertStatuses([drifted]);
    expect(
      await store.listStatuses({
        entityRef: HOUSTON,
        environment: 'development',
      }),
    ).toEqual([drifted]);
    expect(await store.listStatuses()).toHaveLength(4);

    await store.deleteStatuses([
      { entityRef: HOUSTON, environment: 'development' },
      { entityRef: ORION, environment: 'production' },
      { entityRef: 'system:default/nowhere', environment: 'development' },
    ]);
    expect((await store.listStatuses()).map(s => `${s.entityRef} ${s.environment}`)).toEqual([`${HOUSTON} production`, `${ORION} development`]);
    await store.deleteStatuses([]);
    expect(await store.listStatuses()).toHaveLength(2);
  });

  it('rejects a status whose lastReconciledAt is not a time, naming the field', async () => {
    const { store } = await setup(id);
    await expect(store.upsertStatuses([status(HOUSTON, 'development', { lastReconciledAt: 'yesterday' })])).rejects.toThrow(
      /lastReconciledAt must be an ISO time, got "yesterday"/,
    );
  });

  it('keeps good compilations byte for byte, large ones included', async () => {
    const { store } = await setup(id);
    const objects = largeObjects(1000);
    const big: GoodCompilation = {
      entityRef: ORION,
      environment: 'development',
      namespace: 'orion',
      hash: 'a'.repeat(64),
      objects,
      model: {
        components: [{ name: 'comms-system', endpoints: [{ name: 'uplink', port: 8080 }] }],
        grants: [],
      },
      compiledAt: '2026-11-23T09:15:00.000Z',
    };
    const small: GoodCompilation = {
      ...big,
      entityRef: HOUSTON,
      namespace: 'houston',
      hash: 'b'.repeat(64),
      objects: objects.slice(0, 1),
    };
    expect(JSON.stringify(objects).length).toBeGreaterThan(1_000_000);
    await store.saveGoodCompilations([big, small, { ...small, environment: 'production' }]);

    const all = await store.getGoodCompilations();
    expect(all.map(c => `${c.entityRef} ${c.environment}`)).toEqual([`${HOUSTON} development`, `${HOUSTON} production`, `${ORION} development`]);
    const [orion] = await store.getGoodCompilations({ entityRef: ORION });
    expect(orion).toEqual(big);
    // Same bytes, same key order: what the GitOps folder writes from it stays identical.
    expect(JSON.stringify(orion.objects)).toBe(JSON.stringify(objects));
    expect(await store.getGoodCompilations({ environment: 'production' })).toEqual([{ ...small, environment: 'production' }]);

    const recompiled = {
      ...small,
      hash: 'c'.repeat(64),
      objects: objects.slice(5, 7),
      compiledAt: '2026-11-23T12:00:00.000Z',
    };
    await store.saveGoodCompilations([recompiled]);
    expect(
      await store.getGoodCompilations({
        entityRef: HOUSTON,
        environment: 'development',
      }),
    ).toEqual([recompiled]);

    await store.deleteGoodCompilations([{ entityRef: ORION, environment: 'development' }]);
    expect((await store.getGoodCompilations()).map(c => `${c.entityRef} ${c.environment}`)).toEqual([`${HOUSTON} development`, `${HOUSTON} production`]);
  });

  it('records applied cells until they are deleted, one per cell and environment', async () => {
    const { store } = await setup(id);
    const record = (entityRef: string, environment: string, namespace = `ns-${environment}`) => ({
      entityRef,
      environment,
      cellName: entityRef.split('/')[1],
      namespace,
    });
    await store.saveAppliedCells([record(ORION, 'development'), record(HOUSTON, 'development'), record(HOUSTON, 'production')]);
    // A newer record of the same cell and environment replaces the older one.
    await store.saveAppliedCells([record(HOUSTON, 'development', 'moved')]);
    expect(await store.listAppliedCells()).toEqual([record(HOUSTON, 'development', 'moved'), record(HOUSTON, 'production'), record(ORION, 'development')]);
    expect(await store.listAppliedCells({ environment: 'production' })).toEqual([record(HOUSTON, 'production')]);
    await store.deleteAppliedCells([{ entityRef: HOUSTON, environment: 'development' }]);
    expect((await store.listAppliedCells()).map(r => `${r.entityRef} ${r.environment}`)).toEqual([`${HOUSTON} production`, `${ORION} development`]);
  });
});
