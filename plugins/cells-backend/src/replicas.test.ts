import { ChildProcess, spawn } from 'node:child_process';
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
import { configuredPostgresIds, connectionStringEnv } from './storage/__testUtils__/testPostgres';
import { cellsPlugin } from './plugin';
import { Replicas } from './replicas/Replicas';

jest.setTimeout(240_000);

function manyCells(count: number, cell: object = {}): Entity[] {
  const entities: Entity[] = [];
  for (let c = 0; c < count; c++) {
    entities.push({ apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: `cell-${c}` }, spec: { owner: 'group:default/team', cell } });
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

/** One replica in a child process (src/__testUtils__/replicaProcess.ts): SIGKILL stops it with no goodbye. */
function spawnReplica(spec: { connection: unknown; catalogFile: string; config: object }): Promise<ChildProcess> {
  const script = path.join(__dirname, '__testUtils__', 'replicaProcess.ts');
  const child = spawn(process.execPath, ['--require', require.resolve('@backstage/cli/config/nodeTransform.cjs'), script], {
    env: { ...process.env, CELLS_REPLICA_SPEC: JSON.stringify(spec), NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica did not start in 120 s: ${output.slice(-2000)}`)), 120_000);
    child.stdout!.on('data', d => {
      output += d;
      if (process.env.CELLS_REPLICA_LOG) fs.appendFileSync(process.env.CELLS_REPLICA_LOG, String(d));
      if (output.includes('replica ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on('data', d => {
      output += d;
      if (process.env.CELLS_REPLICA_LOG) fs.appendFileSync(process.env.CELLS_REPLICA_LOG, String(d));
    });
    child.on('exit', code => {
      clearTimeout(timer);
      reject(new Error(`replica exited (${code}): ${output.slice(-3000)}`));
    });
  });
}

type RunRow = { run_id: string; owner: string; environment: string | null; state: string; error: string | null; started_at: Date; finished_at: Date | null };

describe('a backend replica killed in the middle of a reconcile', () => {
  it('is taken over by the other within its heartbeat: runs failed only when stale, no overlap, history once', async () => {
    if (postgres.length === 0)
      throw new Error('this test needs the PostgreSQL that the jest global setup starts (see src/storage/__testUtils__/testPostgres.ts)');
    const knex = await databases.init(postgres[0]);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cells-kill-'));
    const catalogFile = path.join(root, 'catalog.json');
    const environments = ['development', 'production'];
    let entities = [...artemisEntities(), ...manyCells(120, { environments })];
    // Written whole and renamed: a replica never reads half a catalog.
    const writeCatalog = () => {
      fs.writeFileSync(`${catalogFile}.next`, JSON.stringify(entities));
      fs.renameSync(`${catalogFile}.next`, catalogFile);
    };
    writeCatalog();
    const HEARTBEAT_MS = 500;
    const STALE_MS = 2_000;
    const config = (id: string) => ({
      cells: {
        environments: environments.map(name => ({ name, target: { type: 'directory', path: path.join(root, name) } })),
        // Every pass is a full pass over every cell: a replica is almost always mid-reconcile.
        reconcile: { catalogPollInterval: { milliseconds: 300 }, fullInterval: { milliseconds: 1 } },
        replicas: { id, heartbeatInterval: { milliseconds: HEARTBEAT_MS }, staleAfter: { milliseconds: STALE_MS } },
        // The pass compiles in a worker thread, as in production: the event loop keeps beating meanwhile.
        workers: { size: 1 },
      },
    });
    // The server the global setup started, and the database TestDatabases made for this test.
    const url = new URL(process.env[connectionStringEnv(postgres[0])]!);
    url.pathname = `/${(knex.client as any).config.connection.database}`;
    const connection = url.toString();
    const runs = async (): Promise<RunRow[]> =>
      (await knex('cells_runs').select('run_id', 'owner', 'environment', 'state', 'error', 'started_at', 'finished_at').orderBy('started_at')).map(
        (r: any) => ({
          ...r,
          started_at: new Date(r.started_at),
          finished_at: r.finished_at ? new Date(r.finished_at) : null,
        }),
      );
    // The ids spread the two environments between the two replicas (rendezvous hashing, src/replicas/Replicas.ts).
    const [idA, idB] = ['replica-one', 'replica-two'];
    expect(new Set(environments.map(e => Replicas.assignee(`environment:${e}`, [idA, idB])))).toEqual(new Set([idA, idB]));
    const envOf = (id: string) => environments.find(e => Replicas.assignee(`environment:${e}`, [idA, idB]) === id)!;

    const a = await spawnReplica({ connection, catalogFile, config: config(idA) });
    let b: ChildProcess | undefined;
    try {
      // A alone reconciles both environments.
      await eventually(
        'replica A reconciling both environments',
        runs,
        rs => environments.every(e => rs.some(r => r.owner === idA && r.environment === e && r.state === 'succeeded')),
        180_000,
      );
      // B starts while A is mid-run: B's start fails none of A's runs (A beats).
      b = await spawnReplica({ connection, catalogFile, config: config(idB) });
      const bStarted = Date.now();
      await eventually(
        'replica B reconciling its own environment',
        runs,
        rs => rs.some(r => r.owner === idB && r.environment === envOf(idB) && r.state === 'succeeded'),
        180_000,
      );

      // A change in the catalog, then A is killed as soon as it is reconciling its environment again.
      const changed = 'system:default/cell-7';
      entities = entities.map(e =>
        stringifyEntityRef(e) === 'component:default/cell-7-svc-0'
          ? { ...e, spec: { ...e.spec, connections: [{ to: 'cell-7-svc-1', methods: ['GET', 'POST'], paths: ['/api/*'] }] } }
          : e,
      );
      const changedAt = new Date();
      writeCatalog();
      const envA = envOf(idA);
      const inFlight = await eventually(
        'replica A mid-reconcile after the change',
        runs,
        rs => rs.some(r => r.owner === idA && r.environment === envA && r.state === 'running' && r.started_at > changedAt),
        60_000,
        20,
      );
      a.kill('SIGKILL');
      const killedAt = Date.now();
      const killedRun = inFlight.find(r => r.owner === idA && r.environment === envA && r.state === 'running' && r.started_at > changedAt)!;

      // B takes A's environment over once A's heartbeat is stale, and fails A's abandoned run.
      const after = await eventually(
        'replica B reconciling the environment of killed A',
        runs,
        rs => rs.some(r => r.owner === idB && r.environment === envA && r.state === 'succeeded' && r.started_at.getTime() > killedAt),
        120_000,
      );
      const takeover = after.find(r => r.owner === idB && r.environment === envA && r.started_at.getTime() > killedAt)!;
      const takeoverMs = takeover.started_at.getTime() - killedAt;
      // The lease frees STALE_MS after A's last beat; B's task asks every 300 ms (slack for a busy machine).
      expect(takeoverMs).toBeLessThan(STALE_MS + 10_000);
      const abandoned = after.find(r => r.run_id === killedRun.run_id)!;
      expect(abandoned.state).toBe('failed');
      expect(abandoned.error).toMatch(/no heartbeat/);

      // Every run of A that ended while A lived succeeded: B never failed a live replica's run.
      const final = await runs();
      for (const run of final.filter(r => r.owner === idA && r.run_id !== killedRun.run_id)) expect(run.state).toBe('succeeded');
      expect(final.filter(r => r.state === 'failed').map(r => r.run_id)).toEqual([killedRun.run_id]);
      expect(final.some(r => r.owner === idA && r.finished_at && r.finished_at.getTime() > bStarted)).toBe(true);

      // While both lived, each ran the scheduled passes of its own environment only: the environments were spread.
      const bOwnFirst = final.find(r => r.owner === idB && r.environment === envOf(idB))!.started_at.getTime();
      expect(final.filter(r => r.owner === idA && r.environment === envOf(idB) && r.started_at.getTime() > bOwnFirst + STALE_MS)).toEqual([]);
      expect(final.filter(r => r.owner === idB && r.environment === envA && r.started_at.getTime() < killedAt)).toEqual([]);

      // One pass at a time per environment across both replicas (the killed run ends when A died).
      for (const environment of environments) {
        const spans = final
          .filter(r => r.environment === environment && r.finished_at)
          .map(r => [r.started_at.getTime(), r.run_id === killedRun.run_id ? killedAt : r.finished_at!.getTime()]);
        for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
      }

      if (process.env.CELLS_REPLICA_LOG)
        fs.appendFileSync(
          process.env.CELLS_REPLICA_LOG,
          `\nRUNS ${JSON.stringify(await runs(), null, 1)}\nKILLED ${killedRun.run_id} at ${new Date(
            killedAt,
          ).toISOString()} changed ${changedAt.toISOString()}\nHISTORY ${JSON.stringify(
            await knex('cells_history').select('entity_ref', 'environment', 'run_id', 'at', 'summary', 'cause').where('entity_ref', changed),
          )}\n`,
        );
      // The change reached both environments' history exactly once, whoever applied it.
      const history = await eventually(
        'the change in the history of both environments',
        () => knex('cells_history').select('entity_ref', 'environment', 'run_id').where('entity_ref', changed).where('at', '>', changedAt),
        rows => environments.every(e => rows.some((r: any) => r.environment === e)),
        60_000,
      );
      expect(history.map((r: any) => r.environment).sort()).toEqual([...environments].sort());
      const folder = fs.readFileSync(path.join(root, envA, 'cell-7.yaml'), 'utf8');
      expect(folder).toContain('POST');
    } finally {
      a.kill('SIGKILL');
      b?.kill('SIGKILL');
    }
  });
});
