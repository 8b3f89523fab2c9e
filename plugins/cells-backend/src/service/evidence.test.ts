import { TestDatabases } from '@backstage/backend-test-utils';
import { HOUSTON, ORION, historyEntry, setupStore } from '../storage/__testUtils__/storeFixtures';
import { keptEvidenceHistory } from './evidence';

jest.setTimeout(60_000);

describe('the kept history of a cell for its evidence pack', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('reads every page of the cell\'s changes, newest first, naming who only when a user caused it', async () => {
    const { store } = await setupStore(databases, 'SQLITE_3');
    await store.addHistory([historyEntry(HOUSTON, 'run-1'), historyEntry(ORION, 'run-1')]);
    await store.addHistory([historyEntry(HOUSTON, 'run-2', { environment: 'production', cause: { kind: 'user', user: 'user:default/alice' } })]);
    await store.addHistory([historyEntry(HOUSTON, 'run-3', { cause: { kind: 'drift-repair' } })]);

    // Pages of one: the three kept changes of houston come back all the same, orion's left out.
    const history = await keptEvidenceHistory(store, HOUSTON, 1);
    expect(history.verifications).toBeUndefined();
    expect(history.changes.map(c => [c.environment, c.cause?.kind, c.by])).toEqual([
      ['development', 'drift-repair', undefined],
      ['production', 'user', 'user:default/alice'],
      ['development', 'entity-change', undefined],
    ]);
    expect(history.changes[2]).toMatchObject({ summary: '1 created; 1 request newly allowed', accessDiff: historyEntry(HOUSTON, 'x').accessDiff });
    expect(Object.keys(history.changes[2]).sort()).toEqual(['accessDiff', 'at', 'cause', 'environment', 'summary']);
  });
});
