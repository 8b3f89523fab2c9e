import { CellModel, KubeObject } from '@cellplane/cells-common';
import type { CellState } from '@cellplane/plugin-cells-node';
import { ApplyResult, CellOutcome, DesiredCell, noChanges, RemovalOutcome } from '@cellplane/plugin-cells-node';
import { EntityChange } from '../catalog/CatalogCellSource';
import { CellDiff } from './isolate';
import { EnvironmentPlan, PassInput } from './plan';
import { Backoff, changedCells, failedApply, hashObjects, nextBackoff, settleEnvironment, SettleInput, UNRECORDED } from './settle';

const A = 'system:default/a';
const GONE = 'system:default/gone';
const ref = { apiVersion: 'v1', kind: 'ServiceAccount', namespace: 'ns-a', name: 'a1' };

const MODEL: CellModel = {
  cells: [{ ref: A, name: 'a', entityNamespace: 'default', owner: 'group:default/t', environments: ['dev'], components: [] }],
  components: [],
  grants: [],
};
const objects: KubeObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-a' } }];
const CELL_A: DesiredCell = { entityRef: A, cellName: 'a', environment: 'dev', namespace: 'ns-a', objects };
const REMOVED = { entityRef: GONE, cellName: 'gone', environment: 'dev', namespace: 'ns-gone' };

function plan(overrides: Partial<EnvironmentPlan> = {}): EnvironmentPlan {
  return {
    environment: 'dev',
    send: [CELL_A],
    remove: [],
    deferred: [],
    upsert: [CELL_A],
    held: new Map(),
    heldAt: [],
    notApplied: [],
    compiled: new Set([A]),
    record: [],
    ...overrides,
  };
}

const outcome = (state: CellState, changed = true, message = ''): CellOutcome => ({
  entityRef: A,
  environment: 'dev',
  changes: changed ? { ...noChanges(), update: [ref] } : noChanges(3),
  state,
  message,
  objects: [],
});

function settle(
  overrides: {
    carried?: [string, EntityChange[]][];
    pass?: Partial<PassInput>;
    plan?: EnvironmentPlan;
    result?: ApplyResult;
    failing?: [string, Backoff][];
    diffs?: Map<string, CellDiff>;
    changes?: EntityChange[];
    lastGoodHash?: string;
  } = {},
) {
  const input: SettleInput = {
    pass: {
      model: MODEL,
      held: new Map(),
      firstPass: false,
      dirty: new Set(),
      request: { trigger: 'schedule', full: false },
      now: 10_000,
      unseenRemovalAt: 0,
      ...overrides.pass,
    },
    env: {
      environment: 'dev',
      target: { type: 'directory', path: '/gitops/dev' },
      applied: new Map(),
      known: new Map(),
      lastGood: new Map(overrides.lastGoodHash ? [[A, { ...CELL_A, hash: overrides.lastGoodHash, model: null, compiledAt: '' }]] : []),
      seen: new Set(),
      stale: new Set(),
      carried: new Map(overrides.carried ?? []),
      failing: new Map(overrides.failing ?? []),
    },
    plan: overrides.plan ?? plan(),
    refused: [],
    result: overrides.result ?? { cells: [outcome('in-sync')], removed: [] },
    diffs: overrides.diffs ?? new Map(),
    changes: overrides.changes ?? [],
    affectedBy: new Map((overrides.changes ?? []).map(c => [c.entityRef, new Set([A])])),
    runId: 'run-1',
    at: '2026-12-02T10:00:00.000Z',
    fullIntervalMs: 300_000,
  };
  return settleEnvironment(input);
}

describe('settleEnvironment: a sent cell', () => {
  it.each([
    // case, outcome, held by a problem -> status state, applied, backoff, result state
    // case, outcome, held by a problem -> status state, applied, backoff, result state, sent again next pass
    ['in sync', 'in-sync', false, 'in-sync', true, 'cleared', 'in-sync', false],
    ['degraded (a layer missing): still applied', 'degraded', false, 'degraded', true, 'cleared', 'degraded', false],
    ['failed on the target: what it held before stays, and it is sent again', 'error', false, 'error', false, 'bumped', 'error', true],
    ['held by a problem: no status of its own, no backoff', 'in-sync', true, undefined, true, 'cleared', 'error', true],
  ])('%s', (_case, state, held, status, applied, backoff, resultState, stale) => {
    const s = settle({ plan: plan({ held: new Map(held ? [[A, []]] : []) }), result: { cells: [outcome(state as CellState)], removed: [] } });
    expect(s.statuses.find(x => x.entityRef === A)?.state).toBe(status);
    expect(s.applied.get(A)).toEqual(applied ? CELL_A : undefined);
    expect(s.failing.get(A) ? 'bumped' : 'cleared').toBe(backoff);
    expect(s.results.map(r => r.state)).toEqual([resultState]);
    expect(s.stale.get(A)).toBe(stale);
  });

  it('saves a good compilation only for a clean, freshly compiled cell whose objects changed', () => {
    expect(settle().goods.map(g => [g.entityRef, g.hash])).toEqual([[A, hashObjects(objects)]]);
    expect(settle({ lastGoodHash: hashObjects(objects) }).goods).toEqual([]);
    expect(settle({ plan: plan({ compiled: new Set() }) }).goods).toEqual([]);
    expect(settle({ result: { cells: [outcome('error')], removed: [] } }).goods).toEqual([]);
  });

  it('records history for a compilation a first pass finds already applied but never recorded, and only then', () => {
    const unchanged = { result: { cells: [outcome('in-sync', false)], removed: [] } };
    // The store's last good compilation is older than what the target holds: a pass stopped before recording it.
    const found = settle({ ...unchanged, pass: { firstPass: true }, lastGoodHash: 'older' });
    expect(found.history.map(h => [h.entityRef, h.summary, h.cause])).toEqual([[A, UNRECORDED, { kind: 'startup' }]]);
    expect(found.goods.map(g => g.hash)).toEqual([hashObjects(objects)]);
    // Recorded already, not a first pass, or never recorded at all: nothing to add.
    expect(settle({ ...unchanged, pass: { firstPass: true }, lastGoodHash: hashObjects(objects) }).history).toEqual([]);
    expect(settle({ ...unchanged, pass: { firstPass: false }, lastGoodHash: 'older' }).history).toEqual([]);
    expect(settle({ ...unchanged, pass: { firstPass: true } }).history).toEqual([]);
    // The target changed: the ordinary history entry, not this one.
    expect(settle({ pass: { firstPass: true }, lastGoodHash: 'older' }).history.map(h => h.summary)).toEqual(['1 updated']);
  });

  it('backs off from 5 s, doubling up to the full interval', () => {
    expect(nextBackoff(undefined, 0, 300_000)).toEqual({ attempts: 1, nextAt: 5_000 });
    expect(nextBackoff({ attempts: 2, nextAt: 0 }, 0, 300_000)).toEqual({ attempts: 3, nextAt: 20_000 });
    expect(nextBackoff({ attempts: 9, nextAt: 0 }, 0, 300_000)).toEqual({ attempts: 10, nextAt: 300_000 });
    expect(settle({ failing: [[A, { attempts: 1, nextAt: 0 }]], result: { cells: [outcome('error')], removed: [] } }).failing.get(A)).toEqual({
      attempts: 2,
      nextAt: 20_000,
    });
  });

  it('counts a cell the target gave no outcome for as failed, never as applied', () => {
    const s = settle({ result: { cells: [], removed: [] } });
    expect(s.results).toEqual([expect.objectContaining({ entityRef: A, state: 'error', message: expect.stringMatching(/reported no outcome/) })]);
    expect(s.applied.has(A)).toBe(false);
    expect(s.stale.get(A)).toBe(true);
  });
});

describe('settleEnvironment: history', () => {
  const change: EntityChange = { entityRef: 'component:default/a1', change: 'updated' };
  it.each([
    // case, pass, catalog changes -> cause, summary
    ['the first pass of the process', { firstPass: true }, [], { kind: 'startup' }, '1 updated'],
    ['a catalog change', {}, [change], { kind: 'entity-change', entities: [change] }, '1 updated'],
    [
      'a user asked',
      { request: { trigger: 'api', full: false, requestedBy: 'user:default/alice' } },
      [],
      { kind: 'user', user: 'user:default/alice' },
      '1 updated',
    ],
    [
      'nothing asked: drift repaired',
      { request: { trigger: 'schedule', full: false, repair: [{ entityRef: A, environment: 'dev', drift: 'AuthorizationPolicy a1 drifted' }] } },
      [],
      { kind: 'drift-repair' },
      'repaired drift (AuthorizationPolicy a1 drifted); 1 updated',
    ],
  ])('%s', (_case, passOverrides, changes, cause, summary) => {
    const [entry] = settle({ pass: passOverrides as Partial<PassInput>, changes: changes as EntityChange[] }).history;
    expect(entry.cause).toEqual(cause);
    expect(entry.summary).toBe(summary);
  });

  it('names changes of an earlier pass that reached the cell only now, and keeps them while they have not', () => {
    const earlier: EntityChange = { entityRef: 'component:default/a1', change: 'removed' };
    const reached = settle({ carried: [[A, [earlier]]], changes: [change] });
    expect(reached.history[0].cause).toEqual({ kind: 'entity-change', entities: [earlier, change] });
    expect(reached.carried.get(A)).toBeUndefined();
    const failed = settle({ carried: [[A, [earlier]]], changes: [change], result: { cells: [outcome('error')], removed: [] } });
    expect(failed.carried.get(A)).toEqual([earlier, change]);
    const held = settle({ changes: [change], plan: plan({ held: new Map([[A, []]]) }) });
    expect(held.carried.get(A)).toEqual([change]);
  });

  it('writes no entry when the target changed nothing', () => {
    expect(settle({ result: { cells: [outcome('in-sync', false)], removed: [] } }).history).toEqual([]);
  });

  it('says so when the access diff could not be computed', () => {
    const [entry] = settle({ pass: { firstPass: true }, diffs: new Map([[A, { diff: { added: [], removed: [] }, error: 'the analyzer failed' }]]) }).history;
    expect(entry.summary).toBe('1 updated; access diff unavailable: the analyzer failed');
  });
});

describe('settleEnvironment: a removed cell', () => {
  const removal = (state: RemovalOutcome['state']): RemovalOutcome => ({
    entityRef: GONE,
    environment: 'dev',
    state,
    pruned: state === 'removed' ? [ref] : [],
    message: state === 'removed' ? '' : 'forbidden',
  });
  it.each([
    // case, outcome (undefined: none reported) -> forgotten, history, backoff, result
    ['removed', 'removed', true, true, false, undefined],
    ['failed', 'error', false, false, true, 'removal failed: forbidden'],
    ['not reported by the target', undefined, false, false, true, 'removal failed: the target reported no outcome for this cell; the next reconcile retries'],
  ])('%s', (_case, state, forgotten, history, backoff, message) => {
    const s = settle({
      plan: plan({ send: [], upsert: [], compiled: new Set(), remove: [REMOVED] }),
      result: { cells: [], removed: state ? [removal(state as RemovalOutcome['state'])] : [] },
    });
    expect(s.forgotten).toEqual(forgotten ? [REMOVED] : []);
    expect(s.history.map(h => [h.entityRef, h.summary, h.pruned, h.cause])).toEqual(
      history ? [[GONE, 'cell removed', [ref], { kind: 'entity-change', entities: [{ entityRef: GONE, change: 'removed' }] }]] : [],
    );
    expect(!!s.failing.get(GONE)).toBe(backoff);
    expect(s.results.map(r => r.message)).toEqual(message ? [message] : []);
  });
});

describe('failedApply and changedCells', () => {
  it('turns a target that threw into an error per sent cell and removal', () => {
    const result = failedApply(plan({ remove: [REMOVED] }), 'disk full');
    expect(result.cells.map(c => [c.entityRef, c.state, c.message])).toEqual([[A, 'error', 'disk full']]);
    expect(result.removed.map(c => [c.entityRef, c.state])).toEqual([[GONE, 'error']]);
  });

  it('lists cells the target changed and cells it removed, by cell name', () => {
    const p = plan({ remove: [REMOVED] });
    expect([
      ...changedCells(p, { cells: [outcome('in-sync')], removed: [{ entityRef: GONE, environment: 'dev', state: 'removed', pruned: [], message: '' }] }),
    ]).toEqual([
      [A, 'a'],
      [GONE, 'gone'],
    ]);
    expect([...changedCells(p, { cells: [outcome('in-sync', false)], removed: [] })]).toEqual([]);
  });
});
