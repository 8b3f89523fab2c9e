import { Entity } from '@backstage/catalog-model';
import { cell, component, withOwners } from '../testing/entities';
import { buildCellModel, formatProblem, validateCellEntity } from './catalog';
import {
  BACKSTAGE_SPEC_KEYS,
  CELL_OBJECT_KEYS,
  CELLPLANE_SPEC_KEYS,
  closestKey,
  editDistance,
  hasMisspelledSpecKey,
  misspelledSpecKeys,
  unknownKeys,
} from './keys';

describe('editDistance (optimal string alignment)', () => {
  it.each([
    ['owner', 'owner', 0],
    ['', 'cell', 4],
    ['cell', '', 4],
    ['cel', 'cell', 1],
    ['cells', 'cell', 1],
    ['onwer', 'owner', 1], // one swap of adjacent letters
    ['metohd', 'method', 1],
    ['conections', 'connections', 1],
    ['conectoins', 'connections', 2],
    ['allowfrom', 'allowFrom', 1], // case counts
    ['allow_from', 'allowFrom', 2],
    ['ceph', 'cell', 2],
    ['hello', 'cell', 2],
    ['type', 'cell', 4],
    ['ca', 'abc', 3], // OSA: a swap is not edited again
  ])('%j to %j is %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('closestKey', () => {
  const connection = CELL_OBJECT_KEYS['spec.connections[]'];
  it.each([
    ['metod', connection, 'methods'],
    ['method', connection, 'methods'],
    ['path', connection, 'paths'],
    ['endpont', connection, 'endpoint'],
    ['too', connection, 'to'],
    ['reasons', connection, 'reason'],
    ['verbs', connection, undefined],
    ['methods', connection, undefined], // a known key is no misspelling
    ['visiblity', CELL_OBJECT_KEYS['spec.endpoints[]'], 'visibility'],
    ['protcol', CELL_OBJECT_KEYS['spec.endpoints[]'], 'protocol'],
    ['namspace', CELL_OBJECT_KEYS['spec.cell.members[]'], 'namespace'],
    ['enviroments', CELL_OBJECT_KEYS['spec.cell'], 'environments'],
    ['member', CELL_OBJECT_KEYS['spec.cell'], 'members'],
    // Short keys get one edit: `ceph` is two from `cell`, `cel` one.
    ['cel', ['cell'], 'cell'],
    ['ceph', ['cell'], undefined],
    // Ties go to the first in text order, wherever it runs.
    ['ab', ['ac', 'aa'], 'aa'],
    ['ab', ['aa', 'ac'], 'aa'],
    // The nearest wins over a farther one earlier in the list.
    ['endpionts', ['endpoint', 'endpoints'], 'endpoints'],
  ] as [string, readonly string[], string | undefined][])('%j among %j is %j', (key, known, expected) => {
    expect(closestKey(key, known)).toBe(expected);
  });
});

describe('unknownKeys', () => {
  it('lists the keys outside the table, in the object order, with a suggestion where one is near', () => {
    expect(unknownKeys(['to', 'metod', 'verbs', 'endpoint'], CELL_OBJECT_KEYS['spec.connections[]'])).toEqual([
      { key: 'metod', suggestion: 'methods' },
      { key: 'verbs' },
    ]);
    expect(unknownKeys(['to', 'endpoint', 'methods', 'paths', 'reason'], CELL_OBJECT_KEYS['spec.connections[]'])).toEqual([]);
  });
});

describe('misspelledSpecKeys (top level of an open spec)', () => {
  const componentKeys = CELLPLANE_SPEC_KEYS.component;
  const systemKeys = CELLPLANE_SPEC_KEYS.system;
  it.each([
    // near misses of Cellplane's keys
    [['conections'], componentKeys, [{ key: 'conections', suggestion: 'connections' }]],
    [['connection'], componentKeys, [{ key: 'connection', suggestion: 'connections' }]],
    [['endpoint'], componentKeys, [{ key: 'endpoint', suggestion: 'endpoints' }]],
    [['allowfrom'], componentKeys, [{ key: 'allowfrom', suggestion: 'allowFrom' }]],
    [['allow_from'], componentKeys, [{ key: 'allow_from', suggestion: 'allowFrom' }]],
    [['sytem'], componentKeys, [{ key: 'sytem', suggestion: 'system' }]],
    [['onwer'], componentKeys, [{ key: 'onwer', suggestion: 'owner' }]],
    [['cel'], systemKeys, [{ key: 'cel', suggestion: 'cell' }]],
    [['cells'], systemKeys, [{ key: 'cells', suggestion: 'cell' }]],
    // the misspelling is reported even beside the real key
    [['connections', 'conections'], componentKeys, [{ key: 'conections', suggestion: 'connections' }]],
    // Cellplane's own keys, exactly
    [['endpoints', 'connections', 'allowFrom', 'system', 'owner'], componentKeys, []],
    // Backstage's keys are never typos, even where near one of Cellplane's (`owner`/`system` are both)
    [[...BACKSTAGE_SPEC_KEYS], componentKeys, []],
    [[...BACKSTAGE_SPEC_KEYS], systemKeys, []],
    [[...BACKSTAGE_SPEC_KEYS], CELLPLANE_SPEC_KEYS.api, []],
    // ... named here too, so a key dropped from the table shows
    [
      [
        'type',
        'lifecycle',
        'owner',
        'system',
        'subcomponentOf',
        'providesApis',
        'consumesApis',
        'dependsOn',
        'dependencyOf',
        'definition',
        'domain',
        'profile',
        'members',
        'parent',
        'children',
        'target',
        'targets',
      ],
      componentKeys,
      [],
    ],
    // on an API only system and owner are Cellplane's concern
    [['endpoint', 'conections', 'sytem'], CELLPLANE_SPEC_KEYS.api, [{ key: 'sytem', suggestion: 'system' }]],
    // other plugins' keys far from Cellplane's stay allowed
    [['sonarqube', 'pagerduty', 'tier', 'ceph', 'cert', 'calls', 'hello', 'links', 'api'], componentKeys, []],
    [['ceph', 'cert', 'calls', 'hello'], systemKeys, []],
  ] as [string[], readonly string[], { key: string; suggestion: string }[]][])('%j against %j', (keys, cellplaneKeys, expected) => {
    expect(misspelledSpecKeys(keys, cellplaneKeys)).toEqual(expected);
  });
});

/** The problems of a small catalog: cells a and b, the entity under test in cell a. */
function problemsOf(...entities: Entity[]) {
  return buildCellModel(withOwners([cell('a'), cell('b'), component('target', 'b'), ...entities]), {
    defaultEnvironments: ['development'],
  });
}

describe('misspelled fields on entities', () => {
  it('a component whose only Cellplane field is `conections` is an error naming the field and the fix (its calls would vanish)', () => {
    const typo: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'caller' },
      spec: { type: 'service', lifecycle: 'production', owner: 'group:a-team', system: 'a', conections: [{ to: 'target' }] },
    };
    expect(hasMisspelledSpecKey(typo)).toBe(true);
    const { model, problems } = problemsOf(typo);
    expect(problems).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/caller',
        field: 'spec.conections',
        fix: 'did you mean `connections`? Rename the field',
        holds: 'system:default/a',
      }),
    ]);
    expect(formatProblem(problems[0])).toBe(
      'component:default/caller: spec.conections: unknown field "conections" is a near miss of `connections` (a misspelled field would be ignored). Fix: did you mean `connections`? Rename the field.',
    );
    expect(model.grants).toEqual([]);
  });

  it('names the exact path of a misspelled key inside a connection, and builds no grant from that connection', () => {
    const { model, problems } = problemsOf(
      component('caller', 'a', {
        connections: [
          { to: 'target', endpoint: 'http' },
          { to: 'target', metod: ['GET'] },
        ],
      }),
    );
    expect(problems).toEqual([
      expect.objectContaining({ entityRef: 'component:default/caller', field: 'spec.connections[1].metod', fix: 'did you mean `methods`? Rename the field' }),
    ]);
    // only the first connection becomes a grant: the second would have allowed every method
    expect(model.grants.map(g => g.field)).toEqual(['spec.connections[0]']);
  });

  it.each([
    [
      component('x', 'a', { endpoints: [{ name: 'http', port: 80, protocol: 'HTTP', visiblity: 'public' }] }),
      'spec.endpoints[0].visiblity',
      'did you mean `visibility`? Rename the field',
    ],
    [
      component('x', 'a', { endpoints: [{ name: 'http', port: 80, protocol: 'HTTP', visibility: 'project', description: 'x' }] }),
      'spec.endpoints[0].description',
      'use only name, port, protocol, visibility, operations, auth, rateLimit',
    ],
    [component('x', 'a', { allowFrom: [{ sytem: 'b' }] }), 'spec.allowFrom[0].sytem', 'did you mean `system`? Rename the field'],
    [
      component('x', 'a', { connections: [{ to: 'target', verbs: ['GET'] }] }),
      'spec.connections[0].verbs',
      'use only to, endpoint, methods, paths, operations, reason',
    ],
    [cell('c', { cell: { enviroments: ['development'] } }), 'spec.cell.enviroments', 'did you mean `environments`? Rename the field'],
    [cell('c', { cell: { members: [{ namspace: 'esa' }] } }), 'spec.cell.members[0].namspace', 'did you mean `namespace`? Rename the field'],
    [cell('c', { cel: {} }), 'spec.cel', 'did you mean `cell`? Rename the field'],
    [
      component('x', 'a', { endpoint: [{ name: 'http', port: 80, protocol: 'HTTP', visibility: 'project' }] }),
      'spec.endpoint',
      'did you mean `endpoints`? Rename the field',
    ],
    [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'API',
        metadata: { name: 'x' },
        spec: { type: 'openapi', lifecycle: 'production', owner: 'a-team', definition: '{}', sytem: 'a' },
      } as Entity,
      'spec.sytem',
      'did you mean `system`? Rename the field',
    ],
  ])('%#: %s', (entity, field, fix) => {
    const problems = validateCellEntity(entity);
    expect(problems).toContainEqual(expect.objectContaining({ field, fix, message: expect.stringMatching(/^unknown field/) }));
  });

  it('leaves the keys of other plugins alone on any kind, and a Cellplane-like key on kinds Cellplane does not read', () => {
    const open: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'x' },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: 'a-team',
        system: 'a',
        subcomponentOf: 'y',
        providesApis: ['p'],
        consumesApis: ['q'],
        dependsOn: [],
        dependencyOf: [],
        pagerduty: { id: 1 },
        tier: 1,
      },
    };
    expect(hasMisspelledSpecKey(open)).toBe(false);
    expect(validateCellEntity(open)).toEqual([]);
    const group: Entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'g' }, spec: { type: 'team', children: [], conections: 1 } };
    expect(validateCellEntity(group)).toEqual([]);
    // On an API only system and owner are checked: Cellplane reads no endpoints there.
    const api: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'API',
      metadata: { name: 'p' },
      spec: { type: 'openapi', lifecycle: 'production', owner: 'a-team', definition: '{}', endpoint: 'https://p.example.com' },
    };
    expect(validateCellEntity(api)).toEqual([]);
  });

  it('drops an endpoint with a misspelled key, so nothing is compiled from half of it', () => {
    const { model } = problemsOf(
      component('x', 'a', { endpoints: [{ name: 'http', port: 80, protocol: 'HTTP', visibility: 'public', operatons: ['GET /'] }] }),
    );
    expect(model.components.find(c => c.ref === 'component:default/x')?.endpoints).toEqual([]);
    expect(model.grants.filter(g => g.callee === 'component:default/x')).toEqual([]);
  });
});
