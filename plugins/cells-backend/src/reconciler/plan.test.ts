import { CellModel, CellProblem, KubeObject } from '@cellplane/cells-common';
import { DesiredCell } from '@cellplane/plugin-cells-node';
import { AppliedCellRecord, GoodCompilation } from '../storage/types';
import { Compiled } from './isolate';
import { cellsToCompile, EnvironmentState, PassInput, planEnvironment, withoutUnrecorded } from './plan';

const A = 'system:default/a';
const B = 'system:default/b';
const GONE = 'system:default/gone';

const MODEL: CellModel = {
  cells: [
    { ref: A, name: 'a', entityNamespace: 'default', owner: 'group:default/t', environments: ['dev'], components: ['component:default/a1'] },
    { ref: B, name: 'b', entityNamespace: 'default', owner: 'group:default/t', environments: ['dev', 'prod'], components: [] },
  ],
  components: [{ ref: 'component:default/a1', name: 'a1', cell: A, owner: 'group:default/t', endpoints: [] }],
  grants: [],
};

const objects = (tag: string): KubeObject[] => [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${tag}` } }];
const cell = (ref: string, tag = 'v1', namespace = `ns-${ref.split('/')[1]}`): DesiredCell => ({
  entityRef: ref,
  cellName: ref.split('/')[1],
  environment: 'dev',
  namespace,
  objects: objects(tag),
});
const good = (ref: string): GoodCompilation => ({ ...cell(ref, 'good'), hash: 'h', model: null, compiledAt: '2026-12-01T00:00:00.000Z' });
const record = (ref: string, namespace = `ns-${ref.split('/')[1]}`): AppliedCellRecord => ({
  entityRef: ref,
  environment: 'dev',
  cellName: ref.split('/')[1],
  namespace,
});
const problem = (entityRef: string): CellProblem => ({ entityRef, field: 'spec.x', message: 'is wrong', fix: 'fix it' });

function pass(overrides: Partial<PassInput> = {}): PassInput {
  return {
    model: MODEL,
    held: new Map(),
    firstPass: false,
    dirty: new Set(),
    request: { trigger: 'schedule', full: false },
    now: 1_000,
    unseenRemovalAt: 2_000,
    ...overrides,
  };
}

function env(
  overrides: { applied?: DesiredCell[]; known?: AppliedCellRecord[]; lastGood?: GoodCompilation[]; seen?: string[]; stale?: string[] } = {},
): EnvironmentState {
  return {
    environment: 'dev',
    target: { type: 'directory', path: '/gitops/dev' },
    applied: new Map((overrides.applied ?? []).map(c => [c.entityRef, c])),
    known: new Map((overrides.known ?? []).map(r => [r.entityRef, r])),
    lastGood: new Map((overrides.lastGood ?? []).map(g => [g.entityRef, g])),
    seen: new Set(overrides.seen ?? [A, B]),
    stale: new Set(overrides.stale ?? []),
  };
}

const compiled = (cells: DesiredCell[] = [], problems: CellProblem[] = []): Compiled => ({ desired: new Map(cells.map(c => [c.entityRef, c])), problems });

describe('cellsToCompile', () => {
  it.each([
    // firstPass, dirty, target holds it, at an older compilation, held by a problem now -> compiled
    ['a first pass compiles every cell', true, false, true, false, false, true],
    ['a catalog change touches it', false, true, true, false, false, true],
    ['its target does not hold it (a failed apply)', false, false, false, false, false, true],
    ['nothing touched it and its target holds it', false, false, true, false, false, false],
    ['a problem held it and holds it no more (its entity was removed)', false, false, true, true, false, true],
    ['a problem holds it, even on a first pass', true, true, false, false, true, false],
    ['a problem still holds it', false, false, true, true, true, false],
  ])('%s', (_case, firstPass, dirty, held, stale, hasProblem, expected) => {
    const p = pass({ firstPass, dirty: new Set(dirty ? [A] : []), held: new Map(hasProblem ? [[A, [problem(A)]]] : []) });
    const e = env({ applied: held ? [cell(A)] : [], stale: stale ? [A] : [] });
    expect(cellsToCompile(p, e).has(A)).toBe(expected);
  });

  it('compiles only the cells of its environment', () => {
    expect([...cellsToCompile(pass({ firstPass: true }), { ...env(), environment: 'prod' })]).toEqual([B]);
  });
});

describe('planEnvironment: what happens to a cell of the catalog', () => {
  const fresh = cell(A, 'fresh');
  const applied = cell(A, 'applied');
  it.each([
    // case, compiled fresh, problem, applied, last good, pass -> sent objects tag, held, not applied
    ['compiled afresh: sent', true, false, false, false, {}, 'fresh', false, false],
    ['unchanged: kept, not sent', false, false, true, false, {}, undefined, false, false],
    ['unchanged on a full pass: sent to be compared', false, false, true, false, { request: { trigger: 'schedule', full: true } }, 'applied', false, false],
    ['unchanged on a first pass: sent', false, false, true, false, { firstPass: true }, 'applied', false, false],
    [
      'unchanged and seen drifted: sent again, which repairs it',
      false,
      false,
      true,
      false,
      { request: { trigger: 'schedule', full: false, repair: [{ entityRef: A, environment: 'dev' }] } },
      'applied',
      false,
      false,
    ],
    [
      'drifted in another environment: not sent',
      false,
      false,
      true,
      false,
      { request: { trigger: 'schedule', full: false, repair: [{ entityRef: A, environment: 'prod' }] } },
      undefined,
      false,
      false,
    ],
    ['a problem: held at what its target was given', false, true, true, true, {}, 'applied', true, false],
    ['a problem after a restart: held at its last good compilation', false, true, false, true, {}, 'good', true, false],
    ['a problem and never compiled: nothing is sent', false, true, false, false, {}, undefined, false, true],
  ])('%s', (_case, isFresh, hasProblem, isApplied, hasGood, passOverrides, sentTag, isHeld, isNotApplied) => {
    const p = pass({ ...(passOverrides as Partial<PassInput>), held: new Map(hasProblem ? [[A, [problem('component:default/a1')]]] : []) });
    const e = env({ applied: isApplied ? [applied] : [], lastGood: hasGood ? [good(A)] : [], known: [record(A), record(B)] });
    const plan = planEnvironment(p, e, compiled(isFresh ? [fresh] : []));
    const sent = plan.send.find(c => c.entityRef === A);
    expect(sent?.objects[0].metadata.name).toBe(sentTag === undefined ? undefined : `ns-${sentTag}`);
    expect(plan.heldAt.map(h => h.cell.entityRef)).toEqual(isHeld ? [A] : []);
    expect(plan.notApplied.map(n => n.entityRef)).toEqual(isNotApplied ? [A] : []);
    expect(plan.heldAt.map(h => h.message)).toEqual(isHeld ? ['held at its last good compilation: component:default/a1: spec.x: is wrong. Fix: fix it.'] : []);
    // Every cell the target is to hold is in upsert, sent or not.
    expect(plan.upsert.some(c => c.entityRef === A)).toBe(!isNotApplied);
    expect(plan.remove).toEqual([]);
  });

  it('holds a cell whose component the compiler found a problem in, and counts only clean cells as compiled', () => {
    const plan = planEnvironment(
      pass(),
      env({ applied: [applied], known: [record(A)] }),
      compiled([fresh, cell(B, 'fresh')], [problem('component:default/a1')]),
    );
    expect(plan.held.get(A)).toEqual([problem('component:default/a1')]);
    expect(plan.heldAt.map(h => h.cell.objects)).toEqual([applied.objects]);
    expect([...plan.compiled]).toEqual([B]);
  });
});

describe('planEnvironment: what the target may hold and the catalog no longer has', () => {
  it.each([
    // case, known from the record, applied in this process, seen by this process, now past unseenRemovalAt -> removed, deferred
    ['recorded and seen leaving: removed', true, false, true, false, true, false],
    ['recorded, never seen by this process (a restart): deferred while the catalog may still fill up', true, false, false, false, false, true],
    ['recorded, never seen, the catalog read for long enough: removed', true, false, false, true, true, false],
    ['only applied by this process: removed', false, true, true, false, true, false],
  ])('%s', (_case, isKnown, isApplied, isSeen, late, removed, deferred) => {
    const p = pass({ now: late ? 2_000 : 1_999 });
    const e = env({ known: isKnown ? [record(GONE)] : [], applied: isApplied ? [cell(GONE)] : [], seen: isSeen ? [A, B, GONE] : [A, B] });
    const plan = planEnvironment(p, e, compiled());
    expect(plan.remove).toEqual(removed ? [{ entityRef: GONE, cellName: 'gone', environment: 'dev', namespace: 'ns-gone' }] : []);
    expect(plan.deferred).toEqual(deferred ? [GONE] : []);
  });

  it('never removes a cell the catalog has in this environment, and removes one that left it', () => {
    const prod = {
      ...env({
        known: [
          { ...record(A), environment: 'prod' },
          { ...record(B), environment: 'prod' },
        ],
        seen: [A, B],
      }),
      environment: 'prod',
    };
    const plan = planEnvironment(pass(), prod, compiled());
    expect(plan.remove.map(r => r.entityRef)).toEqual([A]);
  });
});

describe('planEnvironment: cells recorded before they are sent', () => {
  it.each([
    // case, recorded namespace (undefined: no record) -> recorded again
    ['new to the target', undefined, true],
    ['recorded with the same namespace', 'ns-a', false],
    ['known only from the target listing, without a namespace', '', true],
    ['recorded with another namespace', 'ns-old', true],
  ])('%s', (_case, namespace, expected) => {
    const known = namespace === undefined ? [] : [record(A, namespace)];
    const plan = planEnvironment(pass(), env({ known }), compiled([cell(A)]));
    expect(plan.record).toEqual(expected ? [record(A)] : []);
  });

  it('withholds the cells it could not record, with the reason', () => {
    const plan = planEnvironment(pass(), env({ known: [record(B)] }), compiled([cell(A), cell(B)]));
    const { plan: left, refused } = withoutUnrecorded(plan, 'database is locked');
    expect(left.send.map(c => c.entityRef)).toEqual([B]);
    expect(left.record).toEqual([]);
    expect(refused.map(r => [r.cell.entityRef, r.message])).toEqual([
      [A, 'not applied: it could not be recorded in the database first (database is locked); the next reconcile retries'],
    ]);
  });
});
