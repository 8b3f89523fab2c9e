import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { RunCellResult } from '../schema/types';
import { artemisEntities } from '../__testUtils__/artemis';
import { ChangingCatalog } from '../__testUtils__/catalog';
import { DirectoryTarget } from '../targets/directory';
import { CellsStore } from '../storage/types';
import { Faults, folderFiles, reconcilerHarness, Step, STORE_WRITES, tinyCell } from './__testUtils__/harness';
import { PassRecordError } from './CellsReconciler';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const HOUSTON = 'system:default/houston';
const APOLLO = 'system:default/apollo';
const GEMINI = 'system:default/gemini';

/**
 * One scenario, with or without a failure in its second pass: the first pass
 * applies Artemis and apollo; then capcom gains a call (houston changes),
 * apollo is deleted and gemini added, so the second pass compiles, applies,
 * diffs, records a new cell, saves a good compilation, history and statuses,
 * and forgets a removed cell: every step that can fail. The third pass runs
 * with nothing armed.
 */
async function scenario(step?: Step) {
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-failures-')), 'development');
  const knex = await databases.init('SQLITE_3');
  const catalog = new ChangingCatalog([...artemisEntities(), ...tinyCell('apollo')]);
  const faults = new Faults(HOUSTON);
  const harness = await reconcilerHarness({
    knex,
    catalog,
    target: { type: 'directory', path: folder },
    makeTarget: () => new DirectoryTarget({ path: folder, environment: 'development', logger: harness.logger }),
    faults,
  });
  const { reconciler, reconcile, store } = await harness.start();
  await reconcile();

  const capcom = catalog.get('component:default/capcom')!;
  const connections = [
    ...((capcom.spec as any).connections ?? []),
    { to: 'flight-dynamics', endpoint: 'http', methods: ['POST'], paths: ['/course-correction'] },
  ];
  catalog.set({ ...capcom, spec: { ...capcom.spec, connections } } as Entity);
  catalog.remove(...tinyCell('apollo').map(e => stringifyEntityRef(e)));
  catalog.set(...tinyCell('gemini'));
  // Gemini is recorded before it is written; make houston the cell the store writes concern too.
  if (step) faults.arm(step);
  let second: RunCellResult[] | undefined;
  let secondError: unknown;
  harness.tick(1_000);
  try {
    second = await reconcile();
  } catch (e) {
    secondError = e;
  }
  faults.disarm();
  harness.tick(1_000);
  const third = await reconcile();
  return { folder, store, reconciler, second, secondError, third, faults, logger: harness.logger };
}

/** What the store holds, without what depends on the clock or run ids. */
async function stored(store: CellsStore) {
  const statuses = (await store.listStatuses()).map(({ lastReconciledAt: _t, target: _folder, ...s }) => s);
  const goods = (await store.getGoodCompilations()).map(g => [g.entityRef, g.environment, g.hash]);
  const applied = await store.listAppliedCells();
  const { items } = await store.listHistory({ limit: 500 });
  const history = items.map(({ id: _i, at: _a, runId: _r, ...h }) => h).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return { statuses, goods, applied, history };
}

describe('CellsReconciler after a failure at any step of a pass', () => {
  let control: Awaited<ReturnType<typeof scenario>>;
  let expected: Awaited<ReturnType<typeof stored>>;
  beforeAll(async () => {
    control = await scenario();
    expected = await stored(control.store);
  });

  it('the scenario without failures: houston changed, apollo removed, gemini added', () => {
    const files = folderFiles(control.folder);
    expect(Object.keys(files)).toEqual([
      // kennedy's weather-station calls api.weather.gov: the platform egress namespace.
      '_egress.yaml',
      'deep-space-network.yaml',
      'esa-ops.yaml',
      'gemini.yaml',
      'houston.yaml',
      'kennedy.yaml',
      'kustomization.yaml',
      'orion.yaml',
    ]);
    expect(files['houston.yaml']).toContain('/course-correction');
    expect(control.secondError).toBeUndefined();
    expect(expected.history.filter(h => h.entityRef === APOLLO).map(h => h.summary)).toEqual(['13 created', 'cell removed']);
    expect(expected.applied.map(a => a.entityRef)).not.toContain(APOLLO);
  });

  type Outcome = Awaited<ReturnType<typeof scenario>> & { history: Awaited<ReturnType<typeof stored>>['history'] };
  type History = Outcome['history'];
  /** What each failure leaves on record, and how its history compares with the unfailed one's. */
  const storeWrite = (t: Outcome) => {
    // The targets were written; the run fails and says which write did not happen.
    expect(t.secondError).toBeInstanceOf(PassRecordError);
    expect((t.secondError as PassRecordError).message).toMatch(/^the targets were brought to the catalog, but could not save .*injected failure/);
    expect((t.secondError as PassRecordError).cells.length).toBeGreaterThan(0);
  };
  const same = (history: History) => history;
  /** The diff's failure shows in houston's summary and an empty diff: compared without them. */
  const withoutDiffs = (history: History) =>
    history.map(h => ({
      ...h,
      accessDiff: null,
      summary: h.summary.replace(/; (\d+ requests? newly allowed|\d+ no longer allowed|access diff unavailable).*$/, ''),
    }));
  it.each<[Step, (t: Outcome) => void, (h: History) => unknown]>([
    [
      'catalog',
      t => {
        // Nothing was read, so nothing was decided: the run fails saying why, and the changes wait.
        expect((t.secondError as Error).message).toBe('injected failure: catalog');
        expect(t.second).toBeUndefined();
      },
      same,
    ],
    [
      'compile',
      t => {
        // Only houston is held, with the compiler's failure named; the others go on.
        expect(t.second!.find(r => r.entityRef === HOUSTON)).toMatchObject({ state: 'error', message: 'held at its last good compilation' });
        expect(t.second!.filter(r => r.entityRef !== HOUSTON).every(r => r.state === 'in-sync')).toBe(true);
        expect(t.second!.map(r => r.entityRef)).toContain(GEMINI);
      },
      same,
    ],
    [
      'apply',
      t => {
        expect(t.second!.filter(r => r.state === 'error').map(r => r.entityRef)).toEqual(expect.arrayContaining([HOUSTON, GEMINI, APOLLO]));
        expect(t.second!.find(r => r.entityRef === APOLLO)!.message).toMatch(/^removal failed: the target failed: injected failure: apply/);
      },
      same,
    ],
    [
      'diff',
      t => {
        expect(t.second!.every(r => r.state === 'in-sync')).toBe(true);
        expect(t.logger.warn).toHaveBeenCalledWith(expect.stringMatching(/no access diff for system:default\/houston in development: injected failure: diff/));
        // Said in houston's history entry, and in no other.
        expect(t.history.filter(h => h.summary.includes('access diff unavailable: injected failure: diff')).map(h => h.entityRef)).toEqual([HOUSTON]);
      },
      withoutDiffs,
    ],
    [
      'saveAppliedCells',
      t => {
        // Gemini could not be recorded first, so it was not written; the rest went on.
        expect(t.second!.find(r => r.entityRef === GEMINI)!.message).toMatch(
          /^not applied: it could not be recorded in the database first \(injected failure: saveAppliedCells\)/,
        );
        expect(t.second!.find(r => r.entityRef === HOUSTON)!.state).toBe('in-sync');
      },
      same,
    ],
    ...STORE_WRITES.filter(w => w !== 'saveAppliedCells').map((write): [Step, (t: Outcome) => void, (h: History) => unknown] => [write, storeWrite, same]),
  ])('%s: records what happened, and the next pass ends where a pass without the failure ends', async (step, recorded, comparable) => {
    const t = await scenario(step);
    expect(t.faults.hits.get(step)).toBeGreaterThan(0);
    const actual = await stored(t.store);
    recorded({ ...t, history: actual.history });
    expect(folderFiles(t.folder)).toEqual(folderFiles(control.folder));
    expect(actual.statuses).toEqual(expected.statuses);
    expect(actual.goods).toEqual(expected.goods);
    expect(actual.applied).toEqual(expected.applied);
    for (const ref of [HOUSTON, GEMINI, APOLLO]) {
      expect(t.reconciler.appliedCell(ref, 'development')?.objects).toEqual(control.reconciler.appliedCell(ref, 'development')?.objects);
    }
    expect(comparable(actual.history)).toEqual(comparable(expected.history));
    expect(t.reconciler.retryDue(Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});
