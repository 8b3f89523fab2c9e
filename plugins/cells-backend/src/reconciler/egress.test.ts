import { KubeObject } from '@cellplane/cells-common';
import { DesiredCell, EGRESS_UNIT_NAME, egressUnitRef } from '@cellplane/plugin-cells-node';
import { AppliedCellRecord } from '../storage/types';
import { planEgress } from './egress';
import { EnvironmentPlan, EnvironmentState, PassInput } from './plan';

const REF = egressUnitRef('dev');
const objects = (host: string): KubeObject[] => [
  { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: host, namespace: 'cellplane-egress' } },
];
const unit = (host: string): DesiredCell => ({
  entityRef: REF,
  cellName: EGRESS_UNIT_NAME,
  environment: 'dev',
  namespace: 'cellplane-egress',
  objects: objects(host),
});
const RECORD: AppliedCellRecord = { entityRef: REF, environment: 'dev', cellName: EGRESS_UNIT_NAME, namespace: 'cellplane-egress' };
const EMPTY: EnvironmentPlan = {
  environment: 'dev',
  send: [],
  remove: [],
  deferred: [],
  upsert: [],
  held: new Map(),
  heldAt: [],
  notApplied: [],
  compiled: new Set(),
  record: [],
};

const pass = (o: Partial<PassInput> = {}): PassInput => ({
  model: { cells: [], components: [], grants: [] },
  held: new Map(),
  firstPass: false,
  dirty: new Set(),
  request: { trigger: 'schedule', full: false },
  now: 1_000,
  unseenRemovalAt: 2_000,
  ...o,
});

const env = (o: { applied?: DesiredCell; known?: boolean; seen?: boolean; stale?: boolean } = {}): EnvironmentState => ({
  environment: 'dev',
  target: { type: 'directory', path: '/gitops/dev' },
  applied: new Map(o.applied ? [[REF, o.applied]] : []),
  known: new Map(o.known ? [[REF, RECORD]] : []),
  lastGood: new Map(),
  seen: new Set(o.seen ? [REF] : []),
  stale: new Set(o.stale ? [REF] : []),
});

/** What the plan does with the unit: sent, kept unsent, removed, deferred, or nothing; and whether it is recorded first. */
function outcome(plan: EnvironmentPlan): [string, boolean] {
  const has = (cells: { entityRef: string }[]) => cells.some(c => c.entityRef === REF);
  const states: [string, boolean][] = [
    ['send', has(plan.send)],
    ['keep', has(plan.upsert)],
    ['remove', has(plan.remove)],
    ['defer', plan.deferred.includes(REF)],
  ];
  return [states.find(([, on]) => on)?.[0] ?? 'nothing', has(plan.record)];
}

describe('planEgress', () => {
  it.each<[string, Parameters<typeof env>[0], Partial<PassInput>, Parameters<typeof planEgress>[3], string, boolean]>([
    ['a host declared for the first time is recorded, then sent', {}, {}, { cell: unit('a') }, 'send', true],
    ['unchanged and held by the target: not sent', { applied: unit('a'), known: true }, {}, { cell: unit('a') }, 'keep', false],
    ['a changed host list is sent, already recorded', { applied: unit('a'), known: true }, {}, { cell: unit('b') }, 'send', false],
    ['an earlier apply failed (stale): sent again', { applied: unit('a'), known: true, stale: true }, {}, { cell: unit('a') }, 'send', false],
    [
      'a full pass sends it unchanged',
      { applied: unit('a'), known: true },
      { request: { trigger: 'schedule', full: true } },
      { cell: unit('a') },
      'send',
      false,
    ],
    ['a first pass sends it', { known: true }, { firstPass: true }, { cell: unit('a') }, 'send', false],
    [
      'a drift repair of the unit sends it',
      { applied: unit('a'), known: true },
      { request: { trigger: 'schedule', full: false, repair: [{ entityRef: REF, environment: 'dev' }] } },
      { cell: unit('a') },
      'send',
      false,
    ],
    ['no host any more, seen declared: removed', { applied: unit('a'), known: true, seen: true }, {}, { cell: undefined }, 'remove', false],
    ['no host, only the store recorded it, catalog not read whole yet: deferred', { known: true }, {}, { cell: undefined }, 'defer', false],
    ['no host, only the store recorded it, catalog read whole: removed', { known: true }, { now: 3_000 }, { cell: undefined }, 'remove', false],
    ['no host and the target holds none: nothing', {}, {}, { cell: undefined }, 'nothing', false],
    ['the compiler failed: the target keeps what it holds', { applied: unit('a'), known: true, seen: true }, {}, { error: 'boom' }, 'keep', false],
    [
      'the compiler failed and the target holds none: nothing, never a removal',
      { known: true, seen: true },
      { now: 3_000 },
      { error: 'boom' },
      'nothing',
      false,
    ],
  ])('%s', (_, e, p, egress, what, recorded) => {
    expect(outcome(planEgress(pass(p), env(e), EMPTY, egress))).toEqual([what, recorded]);
  });

  it('keeps the cells of the plan it is given', () => {
    const cell: DesiredCell = { entityRef: 'system:default/a', cellName: 'a', environment: 'dev', namespace: 'a', objects: [] };
    const plan = planEgress(pass(), env(), { ...EMPTY, send: [cell], upsert: [cell] }, { cell: unit('a') });
    expect(plan.send.map(c => c.entityRef)).toEqual(['system:default/a', REF]);
  });
});
