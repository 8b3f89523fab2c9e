import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import { artemisEntities } from '../__testUtils__/artemis';
import { ChangingCatalog } from '../__testUtils__/catalog';
import { DirectoryTarget } from '../targets/directory';
import { reconcilerHarness } from './__testUtils__/harness';
import { ReconcileQueue } from './ReconcileQueue';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('ReconcileQueue', () => {
  it('records a pass that reached its target but could not save everything as failed, with its cells, and the next run saves the rest', async () => {
    const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-queue-')), 'development');
    const knex = await databases.init('SQLITE_3');
    const harness = await reconcilerHarness({
      knex,
      catalog: new ChangingCatalog(artemisEntities()),
      target: { type: 'directory', path: folder },
      makeTarget: () => new DirectoryTarget({ path: folder, environment: 'development', logger: harness.logger }),
    });
    const { reconciler, store } = await harness.start();
    const queue = new ReconcileQueue({
      reconciler,
      store,
      logger: harness.logger,
      fullInterval: 60_000,
      trigger: async () => undefined,
      environments: ['development'],
    });
    harness.faults.arm('addHistory');
    await queue.runDue();
    const [run] = await knex('cells_runs').select();
    expect(run.state).toBe('failed');
    expect(run.error).toMatch(
      /^the targets were brought to the catalog, but could not save history \(injected failure: addHistory\); the next pass saves them$/,
    );
    expect(JSON.parse(run.cells).map((c: { state: string }) => c.state)).toEqual(['in-sync', 'in-sync', 'in-sync', 'in-sync', 'in-sync']);
    // Five cell files, the egress namespace's and the kustomization.
    expect(fs.readdirSync(folder)).toHaveLength(7);
    expect((await store.listHistory({ limit: 10 })).items).toEqual([]);

    harness.faults.disarm();
    await queue.runDue();
    const runs = await knex('cells_runs').select().orderBy('started_at');
    expect(runs.map(r => r.state)).toEqual(['failed', 'succeeded']);
    expect((await store.listHistory({ limit: 10 })).items.map(h => h.cause)).toEqual(Array(5).fill({ kind: 'startup' }));
  });
});
