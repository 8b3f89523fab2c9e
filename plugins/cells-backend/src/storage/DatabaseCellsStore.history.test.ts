import { TestDatabases } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { storageTestDatabaseIds } from './__testUtils__/testPostgres';
import { accessDiff, historyEntry, HOUSTON, ORION, setupStore } from './__testUtils__/storeFixtures';

jest.setTimeout(60_000);

// SQLite, and the real PostgreSQL the package's jest global setup started
// (src/jest/globalSetup.ts) or that the environment names.
const ids = storageTestDatabaseIds();
const databases = TestDatabases.create({ ids });
const setup = (id: string) => setupStore(databases, id);

describe.each(databases.eachSupportedId())('DatabaseCellsStore history on %s', id => {
  it('adds each run, cell and environment to the history once', async () => {
    const { knex, store } = await setup(id);
    const entry = historyEntry(HOUSTON, 'run-1');
    await store.addHistory([entry, historyEntry(HOUSTON, 'run-1', { environment: 'production' })]);
    // The same run again (a retried write), and a duplicate within one call.
    await store.addHistory([{ ...entry, summary: 'a retry must not overwrite' }, entry]);
    expect(Number((await knex('cells_history').count({ n: '*' }))[0].n)).toBe(2);

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
      if (run % 3 === 0) entries.push(historyEntry(ORION, `run-${run}`, { summary: `orion change ${run}` }));
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
        await store.addHistory([historyEntry(HOUSTON, 'run-24', { summary: 'houston change 24' })]);
      }
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(summaries).toEqual(Array.from({ length: 23 }, (_, i) => `houston change ${23 - i}`));
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
    expect(orion.items.map(i => i.summary)).toEqual([21, 18, 15, 12, 9, 6, 3].map(n => `orion change ${n}`));
    expect(orion.nextCursor).toBeUndefined();

    const production = await store.listHistory({
      environment: 'production',
      limit: 2,
    });
    expect(production.items.map(i => i.summary)).toEqual(['houston production change 20', 'houston production change 15']);
    const rest = await store.listHistory({
      environment: 'production',
      limit: 2,
      cursor: production.nextCursor,
    });
    expect(rest.items.map(i => i.summary)).toEqual(['houston production change 10', 'houston production change 5']);
    expect(rest.nextCursor).toBeUndefined();

    const everything = await store.listHistory({ limit: 500 });
    expect(everything.items).toHaveLength(24 + 7 + 4);
    expect(everything.items[0].summary).toBe('houston change 24');
  });

  it('rejects a cursor it did not hand out and a limit out of range, naming them', async () => {
    const { store } = await setup(id);
    for (const cursor of ['not-a-cursor', Buffer.from('{"before":"1; drop table"}').toString('base64url'), '']) {
      await expect(store.listHistory({ limit: 10, cursor })).rejects.toThrow(InputError);
      await expect(store.listHistory({ limit: 10, cursor })).rejects.toThrow(/cursor is not a cursor this API handed out/);
    }
    for (const limit of [0, -1, 1.5, 501, NaN]) {
      await expect(store.listHistory({ limit })).rejects.toThrow(/limit must be a whole number from 1 to 500/);
    }
  });
});
