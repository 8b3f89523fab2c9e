import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, startTestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { artemisEntities } from './__testUtils__/artemis';
import { ChangingCatalog } from './__testUtils__/catalog';
import { eventually } from './__testUtils__/eventually';
import { configuredPostgresIds } from './storage/__testUtils__/testPostgres';
import { cellsPlugin } from './plugin';

jest.setTimeout(240_000);

function manyCells(count: number): Entity[] {
  const entities: Entity[] = [];
  for (let c = 0; c < count; c++) {
    entities.push({ apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: `cell-${c}` }, spec: { owner: 'group:default/team', cell: {} } });
    for (let i = 0; i < 10; i++) {
      entities.push({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: `cell-${c}-svc-${i}` },
        spec: {
          type: 'service',
          lifecycle: 'production',
          owner: 'group:default/team',
          system: `cell-${c}`,
          endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
          connections: [{ to: `cell-${c}-svc-${(i + 1) % 10}`, methods: ['GET'], paths: ['/api/*'] }],
        },
      });
    }
  }
  return entities;
}

// The real PostgreSQL the package's jest global setup started; the real
// scheduler, whose global tasks lock through that database.
const postgres = configuredPostgresIds();
const databases = TestDatabases.create({ ids: postgres.length ? postgres : ['SQLITE_3'] });

describe('two backend replicas sharing one PostgreSQL', () => {
  it('never reconcile at the same time', async () => {
    if (postgres.length === 0)
      throw new Error('this test needs the PostgreSQL that the jest global setup starts (see src/storage/__testUtils__/testPostgres.ts)');
    const knex = await databases.init(postgres[0]);
    const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-replicas-')), 'development');
    // Large enough that a full pass takes a good part of a second, so two runners would overlap.
    const catalog = [...artemisEntities(), ...manyCells(150)];
    const withEtags = new ChangingCatalog(catalog);
    const entities = catalog.map(e => withEtags.get(stringifyEntityRef(e))!);
    const replica = () =>
      startTestBackend({
        features: [
          cellsPlugin,
          schedulerServiceFactory,
          mockServices.database.factory({ knex }),
          catalogServiceMock.factory({ entities }),
          mockServices.rootConfig.factory({
            data: {
              cells: {
                environments: [{ name: 'development', target: { type: 'directory', path: folder } }],
                // Every task run is a full pass that records a run: many chances to overlap.
                reconcile: { catalogPollInterval: { seconds: 1 }, fullInterval: { milliseconds: 1 } },
              },
            },
          }),
        ],
      });
    // Started one after the other, as a rolling deployment does: the first runs the migrations.
    const a = await replica();
    const b = await replica();
    const finishedRuns = () => knex('cells_runs').select('started_at', 'finished_at').whereNotNull('finished_at').orderBy('started_at');
    try {
      // Both replicas' schedulers compete for the task until four passes have finished,
      // however long that takes on a busy machine.
      await eventually('four finished reconcile runs', finishedRuns, runs => runs.length >= 4, 180_000);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const runs = await finishedRuns();
    expect(runs.length).toBeGreaterThanOrEqual(4);
    const times = runs.map(r => [new Date(r.started_at).getTime(), new Date(r.finished_at).getTime()]);
    for (let i = 1; i < times.length; i++) {
      // Each run starts after the previous one finished: one runner at a time across both replicas.
      expect(times[i][0]).toBeGreaterThanOrEqual(times[i - 1][1]);
    }
  });
});
