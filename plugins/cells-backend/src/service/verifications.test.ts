import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DEFAULT_SETTINGS, buildCellModel, createSimulation, manifestsDigest, verifySimulation } from '@cellplane/cells-common';
import { artemisEntities } from '../__testUtils__/artemis';
import { catalogSnapshot } from '../reconciler/snapshot';
import { DatabaseEvidenceStore } from '../storage';
import { HOUSTON, ORION, setupStore } from '../storage/__testUtils__/storeFixtures';
import { InlineAnalysis } from '../workers/pool';
import { Analyst } from './analyst';
import { ContinuousVerification } from './verifications';

jest.setTimeout(120_000);

const DAY = 24 * 60 * 60 * 1000;

describe('continuous verification', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function setup() {
    const { knex } = await setupStore(databases, 'SQLITE_3');
    const store = new DatabaseEvidenceStore(knex);
    const snapshot = catalogSnapshot(artemisEntities(), DEFAULT_SETTINGS);
    // The fake clock: every run is stored at the time it says.
    let now = Date.parse('2026-01-01T03:00:00.000Z');
    const reconciler = { current: snapshot, holders: () => ({}), syncCatalog: async () => {} };
    const verification = new ContinuousVerification({
      reconciler,
      analysis: new InlineAnalysis(new Analyst(DEFAULT_SETTINGS)),
      store,
      environments: ['development'],
      retentionDays: 400,
      version: '9.9.9',
      logger: mockServices.logger.mock(),
      now: () => now,
    });
    return { store, snapshot, verification, advance: (ms: number) => (now += ms), at: () => new Date(now).toISOString() };
  }

  it("stores each cell's scheduled run as the core verifies it, and prunes it once the retention period has passed", async () => {
    const t = await setup();
    await t.verification.scheduled('development');
    const first = await t.verification.history(HOUSTON);
    expect(first).toHaveLength(1);
    // The record is the core's verify of the cell over the same manifests, made here apart from the backend.
    const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });
    const sim = createSimulation(model, DEFAULT_SETTINGS, 'development');
    const report = verifySimulation(sim, { cell: HOUSTON, outbound: true, countLayers: true });
    expect(first[0]).toEqual({
      entityRef: HOUSTON,
      environment: 'development',
      at: '2026-01-01T03:00:00.000Z',
      result: 'pass',
      requestsChecked: report.checks,
      violations: 0,
      allowed: report.counts!.allowed,
      deniedBy: report.counts!.deniedBy,
      manifestsDigest: manifestsDigest(sim.objects),
      cellplaneVersion: '9.9.9',
      trigger: 'schedule',
    });
    expect(first[0].requestsChecked).toBeGreaterThan(0);
    // Every cell of the environment was verified.
    for (const cell of t.snapshot.model.cells) expect(await t.verification.history(cell.ref)).toHaveLength(1);

    // A day later the schedule runs again: two runs kept, newest first.
    t.advance(DAY);
    await t.verification.scheduled('development');
    expect((await t.verification.history(HOUSTON)).map(r => r.at)).toEqual(['2026-01-02T03:00:00.000Z', '2026-01-01T03:00:00.000Z']);

    // 400 days after the first run it is out of the period: the next scheduled run prunes it from the store.
    t.advance(399 * DAY + 60_000);
    await t.verification.scheduled('development');
    const kept = await t.store.listVerifications({ entityRef: HOUSTON, limit: 100 });
    expect(kept.map(r => r.at)).toEqual([t.at(), '2026-01-02T03:00:00.000Z']);
  });

  it('verifies only the cells a reconcile changed, in the environments it changed them in', async () => {
    const t = await setup();
    const result = (entityRef: string, created: number, environment = 'development', state: 'in-sync' | 'error' = 'in-sync') => ({
      entityRef,
      environment,
      state,
      message: '',
      created,
      updated: 0,
      pruned: 0,
    });
    await t.verification.afterPass([
      result(HOUSTON, 2),
      result(ORION, 0),
      result('system:default/kennedy', 1, 'development', 'error'),
      result('system:default/esa-ops', 1, 'production'),
    ]);
    expect(await t.verification.history(HOUSTON)).toEqual([expect.objectContaining({ trigger: 'change', result: 'pass' })]);
    expect(await t.verification.history(ORION)).toEqual([]);
    expect(await t.verification.history('system:default/kennedy')).toEqual([]);
    expect(await t.verification.history('system:default/esa-ops')).toEqual([]);
  });
});
