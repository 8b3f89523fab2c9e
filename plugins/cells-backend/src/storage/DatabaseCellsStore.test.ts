import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { InputError, NotFoundError } from '@backstage/errors';
import type { AccessDiffView, KubeObject } from '@cellplane/cells-common';
import { cellsMigrationsDir, DatabaseCellsStore } from './DatabaseCellsStore';
import {
  POSTGRES_UNAVAILABLE_ENV,
  storageTestDatabaseIds,
} from './__testUtils__/testPostgres';
import { GoodCompilation, NewHistoryEntry, StoredCellStatus } from './types';

jest.setTimeout(60_000);

// SQLite, and the real PostgreSQL the package's jest global setup started
// (src/jest/globalSetup.ts) or that the environment names.
const ids = storageTestDatabaseIds();
const databases = TestDatabases.create({ ids });

const TABLES = [
  'cells_runs',
  'cells_statuses',
  'cells_good_compilations',
  'cells_history',
];

async function setup(id: string) {
  const knex = await databases.init(id as any);
  const store = await DatabaseCellsStore.create({
    database: mockServices.database({ knex }),
  });
  return { knex, store };
}

const HOUSTON = 'system:default/houston';
const ORION = 'system:default/orion';

function status(
  entityRef: string,
  environment: string,
  overrides: Partial<StoredCellStatus> = {},
): StoredCellStatus {
  return {
    entityRef,
    environment,
    namespace: `${entityRef.split('/')[1]}-${environment}`,
    target: { type: 'directory', path: `/gitops/${environment}` },
    state: 'in-sync',
    message: '',
    lastReconciledAt: '2026-11-23T10:00:00.123Z',
    objects: [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        name: 'houston',
        state: 'in-sync',
      },
    ],
    ...overrides,
  };
}

const accessDiff: AccessDiffView = {
  added: [
    {
      from: 'houston/capcom',
      to: 'orion/comms-system',
      port: 8080,
      method: 'POST',
      path: '/uplink',
      layer: 'L7',
      text: 'houston/capcom may now POST /uplink on orion/comms-system',
    },
  ],
  removed: [],
};

function historyEntry(
  entityRef: string,
  runId: string,
  overrides: Partial<NewHistoryEntry> = {},
): NewHistoryEntry {
  return {
    entityRef,
    environment: 'development',
    runId,
    summary: '1 created; 1 request newly allowed',
    cause: {
      kind: 'entity-change',
      entities: [{ entityRef: 'component:default/capcom', change: 'updated' }],
    },
    created: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace: 'houston',
        name: 'capcom',
      },
    ],
    updated: [],
    pruned: [],
    accessDiff,
    ...overrides,
  };
}

/** A compiled cell of `count` objects, about 1 KiB each, keys deliberately not in sorted order. */
function largeObjects(count: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'AuthorizationPolicy',
    apiVersion: 'security.istio.io/v1',
    metadata: {
      namespace: 'orion',
      name: `component-${i}`,
      labels: { 'app.kubernetes.io/managed-by': 'cellplane' },
    },
    spec: {
      targetRefs: [{ kind: 'Service', group: '', name: `component-${i}` }],
      action: 'ALLOW',
      rules: Array.from({ length: 8 }, (__, r) => ({
        to: [
          {
            operation: {
              ports: [`${8000 + r}`],
              methods: ['GET', 'POST'],
              paths: [`/api/v${r}/*`],
            },
          },
        ],
        from: [
          {
            source: { principals: [`cluster.local/ns/houston/sa/caller-${r}`] },
          },
        ],
      })),
    },
  }));
}

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
    for (const table of TABLES)
      expect(await knex.schema.hasTable(table)).toBe(true);

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
    for (const table of TABLES)
      expect(await knex.schema.hasTable(table)).toBe(false);
    const [, reapplied] = await knex.migrate.latest({
      directory: cellsMigrationsDir(),
    });
    expect(reapplied).toHaveLength(1);
    for (const table of TABLES)
      expect(await knex.schema.hasTable(table)).toBe(true);
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

    expect(
      await store.getRun('00000000-0000-0000-0000-000000000000'),
    ).toBeUndefined();
    await expect(
      store.finishRun('00000000-0000-0000-0000-000000000000', {
        state: 'succeeded',
        cells: [],
      }),
    ).rejects.toThrow(NotFoundError);
  });

  it('marks runs left running as failed, and only those', async () => {
    const { store } = await setup(id);
    const abandoned = [
      await store.createRun({ trigger: 'schedule' }),
      await store.createRun({ trigger: 'catalog-change' }),
    ];
    const done = await store.createRun({ trigger: 'startup' });
    await store.finishRun(done, { state: 'succeeded', cells: [] });

    expect(
      await store.failAbandonedRuns(
        'the backend stopped before the run finished',
      ),
    ).toBe(2);
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

    expect(
      (await store.listStatuses({ entityRef: HOUSTON })).map(
        s => s.environment,
      ),
    ).toEqual(['development', 'production']);
    expect(
      (await store.listStatuses({ environment: 'development' })).map(
        s => s.entityRef,
      ),
    ).toEqual([HOUSTON, ORION]);
    expect(
      await store.listStatuses({ entityRef: ORION, environment: 'production' }),
    ).toEqual([status(ORION, 'production')]);
    expect(
      await store.listStatuses({ entityRef: 'system:default/nowhere' }),
    ).toEqual([]);

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
    expect(
      (await store.listStatuses()).map(s => `${s.entityRef} ${s.environment}`),
    ).toEqual([`${HOUSTON} production`, `${ORION} development`]);
    await store.deleteStatuses([]);
    expect(await store.listStatuses()).toHaveLength(2);
  });

  it('rejects a status whose lastReconciledAt is not a time, naming the field', async () => {
    const { store } = await setup(id);
    await expect(
      store.upsertStatuses([
        status(HOUSTON, 'development', { lastReconciledAt: 'yesterday' }),
      ]),
    ).rejects.toThrow(/lastReconciledAt must be an ISO time, got "yesterday"/);
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
        components: [
          { name: 'comms-system', endpoints: [{ name: 'uplink', port: 8080 }] },
        ],
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
    await store.saveGoodCompilations([
      big,
      small,
      { ...small, environment: 'production' },
    ]);

    const all = await store.getGoodCompilations();
    expect(all.map(c => `${c.entityRef} ${c.environment}`)).toEqual([
      `${HOUSTON} development`,
      `${HOUSTON} production`,
      `${ORION} development`,
    ]);
    const [orion] = await store.getGoodCompilations({ entityRef: ORION });
    expect(orion).toEqual(big);
    // Same bytes, same key order: what the GitOps folder writes from it stays identical.
    expect(JSON.stringify(orion.objects)).toBe(JSON.stringify(objects));
    expect(
      await store.getGoodCompilations({ environment: 'production' }),
    ).toEqual([{ ...small, environment: 'production' }]);

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

    await store.deleteGoodCompilations([
      { entityRef: ORION, environment: 'development' },
    ]);
    expect(
      (await store.getGoodCompilations()).map(
        c => `${c.entityRef} ${c.environment}`,
      ),
    ).toEqual([`${HOUSTON} development`, `${HOUSTON} production`]);
  });

  it('adds each run, cell and environment to the history once', async () => {
    const { knex, store } = await setup(id);
    const entry = historyEntry(HOUSTON, 'run-1');
    await store.addHistory([
      entry,
      historyEntry(HOUSTON, 'run-1', { environment: 'production' }),
    ]);
    // The same run again (a retried write), and a duplicate within one call.
    await store.addHistory([
      { ...entry, summary: 'a retry must not overwrite' },
      entry,
    ]);
    expect(Number((await knex('cells_history').count({ n: '*' }))[0].n)).toBe(
      2,
    );

    const { items, nextCursor } = await store.listHistory({
      entityRef: HOUSTON,
      environment: 'development',
      limit: 10,
    });
    expect(nextCursor).toBeUndefined();
    expect(items).toEqual([
      {
        id: expect.any(Number),
        at: expect.any(String),
        entityRef: HOUSTON,
        environment: 'development',
        runId: 'run-1',
        summary: entry.summary,
        cause: entry.cause,
        created: entry.created,
        updated: [],
        pruned: [],
        accessDiff,
      },
    ]);
    expect(Math.abs(Date.parse(items[0].at) - Date.now())).toBeLessThan(60_000);

    await store.addHistory([
      historyEntry(HOUSTON, 'run-2', {
        cause: { kind: 'user', user: 'user:default/jane' },
      }),
    ]);
    const after = await store.listHistory({
      entityRef: HOUSTON,
      environment: 'development',
      limit: 10,
    });
    expect(after.items.map(i => [i.runId, i.cause.kind])).toEqual([
      ['run-2', 'user'],
      ['run-1', 'entity-change'],
    ]);
  });

  it('pages the history newest first with a cursor, per cell and environment', async () => {
    const { store } = await setup(id);
    // 23 runs: houston changes in each, orion in every third, production in every fifth.
    for (let run = 1; run <= 23; run++) {
      const entries = [
        historyEntry(HOUSTON, `run-${run}`, {
          summary: `houston change ${run}`,
        }),
      ];
      if (run % 3 === 0)
        entries.push(
          historyEntry(ORION, `run-${run}`, { summary: `orion change ${run}` }),
        );
      if (run % 5 === 0)
        entries.push(
          historyEntry(HOUSTON, `run-${run}`, {
            environment: 'production',
            summary: `houston production change ${run}`,
          }),
        );
      await store.addHistory(entries);
    }

    const summaries: string[] = [];
    const entryIds: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listHistory({
        entityRef: HOUSTON,
        environment: 'development',
        limit: 10,
        cursor,
      });
      pages++;
      summaries.push(...page.items.map(i => i.summary));
      entryIds.push(...page.items.map(i => i.id));
      cursor = page.nextCursor;
      if (pages === 1) {
        // A change added between pages shows on a fresh first page, not in the middle of this walk.
        await store.addHistory([
          historyEntry(HOUSTON, 'run-24', { summary: 'houston change 24' }),
        ]);
      }
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(summaries).toEqual(
      Array.from({ length: 23 }, (_, i) => `houston change ${23 - i}`),
    );
    expect([...entryIds].sort((a, b) => b - a)).toEqual(entryIds);

    // Without an environment filter both environments interleave, newest first.
    const first = await store.listHistory({ entityRef: HOUSTON, limit: 6 });
    expect(first.items.map(i => i.summary)).toEqual([
      'houston change 24',
      'houston change 23',
      'houston change 22',
      'houston change 21',
      'houston production change 20',
      'houston change 20',
    ]);
    expect(first.nextCursor).toEqual(expect.any(String));

    const orion = await store.listHistory({ entityRef: ORION, limit: 7 });
    expect(orion.items.map(i => i.summary)).toEqual(
      [21, 18, 15, 12, 9, 6, 3].map(n => `orion change ${n}`),
    );
    expect(orion.nextCursor).toBeUndefined();

    const production = await store.listHistory({
      environment: 'production',
      limit: 2,
    });
    expect(production.items.map(i => i.summary)).toEqual([
      'houston production change 20',
      'houston production change 15',
    ]);
    const rest = await store.listHistory({
      environment: 'production',
      limit: 2,
      cursor: production.nextCursor,
    });
    expect(rest.items.map(i => i.summary)).toEqual([
      'houston production change 10',
      'houston production change 5',
    ]);
    expect(rest.nextCursor).toBeUndefined();

    const everything = await store.listHistory({ limit: 500 });
    expect(everything.items).toHaveLength(24 + 7 + 4);
    expect(everything.items[0].summary).toBe('houston change 24');
  });

  it('rejects a cursor it did not hand out and a limit out of range, naming them', async () => {
    const { store } = await setup(id);
    for (const cursor of [
      'not-a-cursor',
      Buffer.from('{"before":"1; drop table"}').toString('base64url'),
      '',
    ]) {
      await expect(store.listHistory({ limit: 10, cursor })).rejects.toThrow(
        InputError,
      );
      await expect(store.listHistory({ limit: 10, cursor })).rejects.toThrow(
        /cursor is not a cursor this API handed out/,
      );
    }
    for (const limit of [0, -1, 1.5, 501, NaN]) {
      await expect(store.listHistory({ limit })).rejects.toThrow(
        /limit must be a whole number from 1 to 500/,
      );
    }
  });
});
