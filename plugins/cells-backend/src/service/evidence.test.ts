import { TestDatabases } from '@backstage/backend-test-utils';
import { buildCellModel, createSimulation, DEFAULT_SETTINGS } from '@cellplane/cells-common';
import { artemisEntities } from '../__testUtils__/artemis';
import { HOUSTON, ORION, historyEntry, setupStore } from '../storage/__testUtils__/storeFixtures';
import { cellEvidencePack, keptEvidenceHistory } from './evidence';

jest.setTimeout(60_000);

describe('the kept history of a cell for its evidence pack', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it("reads every page of the cell's changes, newest first, naming who only when a user caused it", async () => {
    const { store } = await setupStore(databases, 'SQLITE_3');
    await store.addHistory([historyEntry(HOUSTON, 'run-1'), historyEntry(ORION, 'run-1')]);
    await store.addHistory([historyEntry(HOUSTON, 'run-2', { environment: 'production', cause: { kind: 'user', user: 'user:default/alice' } })]);
    await store.addHistory([historyEntry(HOUSTON, 'run-3', { cause: { kind: 'drift-repair' } })]);

    // Pages of one: the three kept changes of houston come back all the same, orion's left out.
    const history = await keptEvidenceHistory(store, HOUSTON, undefined, 1);
    expect(history.verifications).toBeUndefined();
    expect(history.changes.map(c => [c.environment, c.cause?.kind, c.by])).toEqual([
      ['development', 'drift-repair', undefined],
      ['production', 'user', 'user:default/alice'],
      ['development', 'entity-change', undefined],
    ]);
    expect(history.changes[2]).toMatchObject({ summary: '1 created; 1 request newly allowed', accessDiff: historyEntry(HOUSTON, 'x').accessDiff });
    expect(Object.keys(history.changes[2]).sort()).toEqual(['accessDiff', 'at', 'cause', 'environment', 'summary']);
  });

  it('approves a flow by the kept change that added it, with who made it, and leaves the others without', async () => {
    const { store } = await setupStore(databases, 'SQLITE_3');
    // The fixture's change adds houston/capcom's POST /uplink on orion/comms-system.
    await store.addHistory([historyEntry(HOUSTON, 'run-1', { cause: { kind: 'user', user: 'user:default/alice' } })]);
    const [kept] = (await store.listHistory({ entityRef: HOUSTON, limit: 1 })).items;
    const { model, problems } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });
    expect(problems).toEqual([]);
    const pack = await cellEvidencePack({
      entityRef: HOUSTON,
      environments: ['development'],
      snapshot: { model, held: new Map(), entities: new Map() },
      settings: DEFAULT_SETTINGS,
      store,
      simulation: environment => createSimulation(model, DEFAULT_SETTINGS, environment),
      generatedAt: '2026-12-02T10:00:00.000Z',
    });
    const register = pack.environments[0].register;
    const uplink = register.find(r => r.from.label === 'houston/capcom' && r.to.label === 'orion/comms-system')!;
    expect(uplink.approval).toEqual({ at: kept.at, summary: kept.summary, by: 'user:default/alice' });
    expect(register.filter(r => r.approval !== null)).toHaveLength(1);
    expect(pack.summary.flowsWithoutApproval).toBe(register.length - 1);
    expect(pack.summary.lastAccessChangeAt).toBe(kept.at);
    expect(pack.environments[0].verification).toMatchObject({ historyKept: false, history: [], latest: { trigger: 'api', result: 'pass' } });
  });
});
