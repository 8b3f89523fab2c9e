import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseEvidenceStore, StoredVerification } from './DatabaseEvidenceStore';
import { HOUSTON, ORION, historyEntry, setupStore } from './__testUtils__/storeFixtures';
import { storageTestDatabaseIds } from './__testUtils__/testPostgres';

jest.setTimeout(60_000);

const run = (entityRef: string, at: string, overrides: Partial<StoredVerification> = {}): StoredVerification => ({
  entityRef,
  environment: 'development',
  at,
  result: 'pass',
  requestsChecked: 42,
  violations: 0,
  allowed: 7,
  deniedBy: { 'L3/L4': 30, mTLS: 0, L7: 5 },
  manifestsDigest: 'a'.repeat(64),
  cellplaneVersion: '0.1.0',
  trigger: 'schedule',
  ...overrides,
});

// SQLite, and the real PostgreSQL of the package's jest global setup (as DatabaseCellsStore.test.ts).
const ids = storageTestDatabaseIds();
const databases = TestDatabases.create({ ids });

describe.each(databases.eachSupportedId())('DatabaseEvidenceStore on %s', id => {
  async function setup() {
    const { knex, store } = await setupStore(databases, id);
    return { knex, store, evidence: new DatabaseEvidenceStore(knex) };
  }

  it("keeps a cell's verification runs whole, newest first, by environment and since a time", async () => {
    const { evidence } = await setup();
    await evidence.addVerifications([
      run(HOUSTON, '2026-01-01T00:00:00.000Z'),
      run(HOUSTON, '2026-01-02T00:00:00.000Z', { environment: 'production', result: 'fail', violations: 2, trigger: 'change' }),
      run(HOUSTON, '2026-01-03T00:00:00.000Z', { allowed: undefined, deniedBy: undefined, manifestsDigest: undefined }),
      run(ORION, '2026-01-04T00:00:00.000Z'),
    ]);
    const all = await evidence.listVerifications({ entityRef: HOUSTON, limit: 10 });
    expect(all.map(r => r.at)).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
    expect(all[2]).toEqual(run(HOUSTON, '2026-01-01T00:00:00.000Z'));
    // Optional fields stay absent, not null.
    expect(Object.keys(all[0]).sort()).toEqual(['at', 'cellplaneVersion', 'entityRef', 'environment', 'requestsChecked', 'result', 'trigger', 'violations']);
    expect(await evidence.listVerifications({ entityRef: HOUSTON, environment: 'production', limit: 10 })).toEqual([
      run(HOUSTON, '2026-01-02T00:00:00.000Z', { environment: 'production', result: 'fail', violations: 2, trigger: 'change' }),
    ]);
    const since = await evidence.listVerifications({ entityRef: HOUSTON, since: '2026-01-02T00:00:00.000Z', limit: 10 });
    expect(since.map(r => r.at)).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-02T00:00:00.000Z']);
    expect((await evidence.listVerifications({ entityRef: HOUSTON, limit: 1 })).map(r => r.at)).toEqual(['2026-01-03T00:00:00.000Z']);
  });

  it('pages the audit trail of a cell newest first and prunes runs and events older than the cutoff', async () => {
    const { evidence } = await setup();
    const event = (at: string, action: string) => ({ at, action, entityRef: HOUSTON, actor: 'user:default/alice', outcome: 'succeeded' as const });
    await evidence.addAuditEvents([
      event('2026-01-01T00:00:00.000Z', 'reconcile'),
      event('2026-01-02T00:00:00.000Z', 'preview'),
      { ...event('2026-01-03T00:00:00.000Z', 'report-download'), environment: 'development', outcome: 'failed', detail: { format: 'pdf' } },
      { ...event('2026-01-03T00:00:00.000Z', 'reconcile'), entityRef: ORION },
    ]);
    const first = await evidence.listAuditEvents({ entityRef: HOUSTON, limit: 2 });
    expect(first.items.map(e => [e.action, e.outcome])).toEqual([
      ['report-download', 'failed'],
      ['preview', 'succeeded'],
    ]);
    expect(first.items[0]).toMatchObject({ environment: 'development', detail: { format: 'pdf' }, actor: 'user:default/alice' });
    const second = await evidence.listAuditEvents({ entityRef: HOUSTON, limit: 2, cursor: first.nextCursor });
    expect(second).toEqual({ items: [expect.objectContaining({ action: 'reconcile', at: '2026-01-01T00:00:00.000Z' })] });

    await evidence.addVerifications([run(HOUSTON, '2026-01-01T00:00:00.000Z'), run(HOUSTON, '2026-01-03T00:00:00.000Z')]);
    expect(await evidence.prune('2026-01-02T12:00:00.000Z')).toEqual({ verifications: 1, auditEvents: 2 });
    expect((await evidence.listVerifications({ entityRef: HOUSTON, limit: 10 })).map(r => r.at)).toEqual(['2026-01-03T00:00:00.000Z']);
    expect((await evidence.listAuditEvents({ entityRef: HOUSTON, limit: 10 })).items.map(e => e.action)).toEqual(['report-download']);
  });

  it('keeps who made a history entry, its link and reason, and leaves them out when unknown', async () => {
    const { store } = await setup();
    await store.addHistory([
      historyEntry(HOUSTON, 'run-1', { by: 'user:default/alice', link: 'https://portal/create/tasks/t1', reason: 'capcom reads the weather' }),
      historyEntry(HOUSTON, 'run-2'),
    ]);
    const { items } = await store.listHistory({ entityRef: HOUSTON, limit: 10 });
    expect(items[1]).toMatchObject({ by: 'user:default/alice', link: 'https://portal/create/tasks/t1', reason: 'capcom reads the weather' });
    expect(items[0]).not.toHaveProperty('by');
    expect(items[0]).not.toHaveProperty('link');
    expect(items[0]).not.toHaveProperty('reason');
  });
});
