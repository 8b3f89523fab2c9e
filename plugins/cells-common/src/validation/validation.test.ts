import { Entity } from '@backstage/catalog-model';
import { cell, component, withOwners } from '../testing/entities';
import { buildCellModel as buildModel, formatProblem, validateCellEntity, validateConnectionTargets } from './catalog';

/** The model of a catalog whose owners are all registered Groups. */
const buildCellModel = (entities: Entity[], opts: Parameters<typeof buildModel>[1]) => buildModel(withOwners(entities), opts);

const options = { defaultEnvironments: ['development'], knownEnvironments: ['development', 'production'] };

function problemsOf(entities: Entity[]) {
  return buildCellModel(entities, options).problems;
}

function withComponentSpec(spec: Record<string, unknown>) {
  return [cell('a'), cell('b'), component('caller', 'a', spec), component('target', 'b'), component('neighbour', 'a')];
}

describe('cell entity validation', () => {
  it('accepts a well-formed cell and turns connections into grants', () => {
    const { model, problems } = buildCellModel(
      withComponentSpec({
        connections: [{ to: 'target', endpoint: 'http', methods: ['GET'], paths: ['/a', '/b/*', '*.json'] }],
      }),
      options,
    );
    expect(problems).toEqual([]);
    expect(model.cells.map(c => c.ref)).toEqual(['system:default/a', 'system:default/b']);
    expect(model.cells[0].environments).toEqual(['development']);
    expect(model.grants).toEqual([
      expect.objectContaining({
        caller: { kind: 'component', ref: 'component:default/caller' },
        callee: 'component:default/target',
        endpoint: 'http',
        methods: ['GET'],
        paths: ['*.json', '/a', '/b/*'],
      }),
    ]);
  });

  it('expands a cell-wide allowFrom to every component of that cell', () => {
    const { model, problems } = buildCellModel(
      [cell('a'), cell('b'), component('x', 'a'), component('y', 'a'), component('target', 'b', { allowFrom: [{ system: 'a', methods: ['GET'] }] })],
      options,
    );
    expect(problems).toEqual([]);
    expect(model.grants.map(g => (g.caller as any).ref)).toEqual(['component:default/x', 'component:default/y']);
  });

  it('grants the external gateway on public endpoints only', () => {
    const { model } = buildCellModel(
      [
        cell('a'),
        component('web', 'a', { endpoints: [{ name: 'http', port: 80, protocol: 'HTTP', visibility: 'public', auth: 'none' }] }),
        component('api', 'a'),
      ],
      options,
    );
    expect(model.grants).toEqual([expect.objectContaining({ caller: { kind: 'gateway' }, callee: 'component:default/web' })]);
  });

  const bad: [string, Entity[], string, RegExp][] = [
    ['unknown target', withComponentSpec({ connections: [{ to: 'nowhere', endpoint: 'http' }] }), 'spec.connections[0].to', /not in the catalog/],
    ['unknown endpoint', withComponentSpec({ connections: [{ to: 'target', endpoint: 'grpc' }] }), 'spec.connections[0].endpoint', /has no endpoint "grpc"/],
    [
      'bad method',
      withComponentSpec({ connections: [{ to: 'target', endpoint: 'http', methods: ['get'] }] }),
      'spec.connections[0].methods[0]',
      /not an HTTP method/,
    ],
    ['empty methods', withComponentSpec({ connections: [{ to: 'target', endpoint: 'http', methods: [] }] }), 'spec.connections[0].methods', /non-empty/],
    [
      'path in the middle',
      withComponentSpec({ connections: [{ to: 'target', endpoint: 'http', paths: ['/a*b'] }] }),
      'spec.connections[0].paths[0]',
      /in the middle/,
    ],
    ['lone star path', withComponentSpec({ connections: [{ to: 'target', endpoint: 'http', paths: ['*'] }] }), 'spec.connections[0].paths[0]', /lone/],
    [
      'relative path',
      withComponentSpec({ connections: [{ to: 'target', endpoint: 'http', paths: ['a/b'] }] }),
      'spec.connections[0].paths[0]',
      /does not start with/,
    ],
    ['query in path', withComponentSpec({ connections: [{ to: 'target', endpoint: 'http', paths: ['/a?b=1'] }] }), 'spec.connections[0].paths[0]', /query/],
    ['two stars', withComponentSpec({ connections: [{ to: 'target', endpoint: 'http', paths: ['*/a/*'] }] }), 'spec.connections[0].paths[0]', /more than one/],
    ['target not a component', withComponentSpec({ connections: [{ to: 'system:b', endpoint: 'http' }] }), 'spec.connections[0].to', /not a component/],
    [
      'unknown connection field',
      withComponentSpec({ connections: [{ to: 'target', endpoint: 'http', verbs: ['GET'] }] }),
      'spec.connections[0].verbs',
      /unknown field/,
    ],
    ['connections not a list', withComponentSpec({ connections: { to: 'target' } }), 'spec.connections', /must be a list/],
    [
      'endpoint name',
      withComponentSpec({ endpoints: [{ name: 'HTTP_1', port: 80, protocol: 'HTTP', visibility: 'project' }] }),
      'spec.endpoints[0].name',
      /not a valid endpoint name/,
    ],
    [
      'endpoint port',
      withComponentSpec({ endpoints: [{ name: 'http', port: 70000, protocol: 'HTTP', visibility: 'project' }] }),
      'spec.endpoints[0].port',
      /not a port/,
    ],
    [
      'mesh port',
      withComponentSpec({ endpoints: [{ name: 'http', port: 15008, protocol: 'HTTP', visibility: 'project' }] }),
      'spec.endpoints[0].port',
      /reserved/,
    ],
    [
      'endpoint protocol',
      withComponentSpec({ endpoints: [{ name: 'http', port: 80, protocol: 'HTTPS', visibility: 'project' }] }),
      'spec.endpoints[0].protocol',
      /not a protocol/,
    ],
    [
      'endpoint visibility',
      withComponentSpec({ endpoints: [{ name: 'http', port: 80, protocol: 'HTTP', visibility: 'namespace' }] }),
      'spec.endpoints[0].visibility',
      /not a visibility/,
    ],
    [
      'public TCP',
      withComponentSpec({ endpoints: [{ name: 'db', port: 5432, protocol: 'TCP', visibility: 'public' }] }),
      'spec.endpoints[0].visibility',
      /must be HTTP/,
    ],
    [
      'duplicate endpoint',
      withComponentSpec({
        endpoints: [
          { name: 'http', port: 80, protocol: 'HTTP', visibility: 'project' },
          { name: 'http', port: 81, protocol: 'HTTP', visibility: 'project' },
        ],
      }),
      'spec.endpoints[1].name',
      /used twice/,
    ],
    [
      'duplicate port',
      withComponentSpec({
        endpoints: [
          { name: 'a', port: 80, protocol: 'HTTP', visibility: 'project' },
          { name: 'b', port: 80, protocol: 'GRPC', visibility: 'project' },
        ],
      }),
      'spec.endpoints[1].port',
      /used by another/,
    ],
    [
      'operation without path',
      withComponentSpec({ endpoints: [{ name: 'http', port: 80, protocol: 'HTTP', visibility: 'project', operations: ['POST'] }] }),
      'spec.endpoints[0].operations[0]',
      /not an operation/,
    ],
    [
      'operation method',
      withComponentSpec({ endpoints: [{ name: 'http', port: 80, protocol: 'HTTP', visibility: 'project', operations: ['post /abort'] }] }),
      'spec.endpoints[0].operations[0]',
      /not an HTTP method/,
    ],
    [
      'operation pattern',
      withComponentSpec({ endpoints: [{ name: 'http', port: 80, protocol: 'HTTP', visibility: 'project', operations: ['GET /a/*'] }] }),
      'spec.endpoints[0].operations[0]',
      /not an exact path/,
    ],
    [
      'operations on TCP',
      withComponentSpec({ endpoints: [{ name: 'db', port: 5432, protocol: 'TCP', visibility: 'project', operations: ['GET /a'] }] }),
      'spec.endpoints[0].operations',
      /has no methods or paths/,
    ],
    [
      'operations empty',
      withComponentSpec({ endpoints: [{ name: 'http', port: 80, protocol: 'HTTP', visibility: 'project', operations: [] }] }),
      'spec.endpoints[0].operations',
      /non-empty list/,
    ],
    ['allowFrom with both', withComponentSpec({ allowFrom: [{ component: 'neighbour', system: 'a' }] }), 'spec.allowFrom[0]', /exactly one/],
    ['allowFrom unknown system', withComponentSpec({ allowFrom: [{ system: 'nowhere' }] }), 'spec.allowFrom[0].system', /not in the catalog/],
    [
      'allowFrom non-cell system',
      [
        ...withComponentSpec({ allowFrom: [{ system: 'plain' }] }),
        { apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: 'plain' }, spec: { owner: 'x' } },
      ],
      'spec.allowFrom[0].system',
      /not a cell/,
    ],
    [
      'methods on TCP',
      withComponentSpec({
        endpoints: [{ name: 'db', port: 5432, protocol: 'TCP', visibility: 'project' }],
        allowFrom: [{ component: 'neighbour', methods: ['GET'] }],
      }),
      'spec.allowFrom[0]',
      /cannot be enforced on TCP/,
    ],
    [
      'ambiguous endpoint',
      withComponentSpec({
        endpoints: [
          { name: 'a', port: 80, protocol: 'HTTP', visibility: 'project' },
          { name: 'b', port: 81, protocol: 'HTTP', visibility: 'project' },
        ],
        allowFrom: [{ component: 'neighbour' }],
      }),
      'spec.allowFrom[0].endpoint',
      /none is named/,
    ],
    ['component outside a cell', [cell('a'), component('lost', 'no-such-system'), component('x', 'a')], 'spec.system', /must belong to a cell/],
    ['unknown environment', [cell('a', { cell: { environments: ['staging'] } }), component('x', 'a')], 'spec.cell.environments', /not configured/],
    ['cell not an object', [cell('a', { cell: 'yes' })], 'spec.cell', /must be an object/],
    ['bad metadata name', [cell('a'), component('Bad_Name', 'a')], 'metadata.name', /cannot name Kubernetes objects/],
  ];

  it.each(bad)('reports %s on the entity and field, with a fix', (_title, entities, field, message) => {
    const problems = problemsOf(entities);
    const problem = problems.find(p => p.field === field);
    expect(problem).toBeDefined();
    expect(problem!.message).toMatch(message);
    expect(problem!.fix.length).toBeGreaterThan(5);
    expect(formatProblem(problem!)).toContain(problem!.entityRef);
  });

  it('refuses a connection the target visibility forbids, and builds no grant from it', () => {
    const entities = [
      cell('a'),
      cell('b'),
      component('caller', 'a', { connections: [{ to: 'private', endpoint: 'http' }] }),
      component('private', 'b', { endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }] }),
    ];
    const { model, problems } = buildCellModel(entities, options);
    expect(problems).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/caller',
        field: 'spec.connections[0].to',
        message: expect.stringMatching(/visible only inside system:default\/b/),
      }),
    ]);
    expect(model.grants).toEqual([]);
  });

  it('refuses an allowFrom from another cell on a project endpoint', () => {
    const entities = [
      cell('a'),
      cell('b'),
      component('outsider', 'a'),
      component('private', 'b', { endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }], allowFrom: [{ component: 'outsider' }] }),
    ];
    const { model, problems } = buildCellModel(entities, options);
    expect(problems.map(p => p.field)).toEqual(['spec.allowFrom[0].component']);
    expect(model.grants).toEqual([]);
  });

  it('keeps the valid declarations of an entity that also has an invalid one', () => {
    const { model, problems } = buildCellModel(
      withComponentSpec({
        connections: [
          { to: 'target', endpoint: 'http', methods: ['GET'] },
          { to: 'target', endpoint: 'http', methods: ['FETCH'] },
        ],
      }),
      options,
    );
    expect(problems).toHaveLength(1);
    expect(model.grants).toHaveLength(1);
    expect(model.grants[0].methods).toEqual(['GET']);
  });

  it('keeps repeated methods and paths narrow (a duplicate never means "all")', () => {
    const { model, problems } = buildCellModel(
      withComponentSpec({ connections: [{ to: 'target', endpoint: 'http', methods: ['GET', 'GET'], paths: ['/a', '/a'] }] }),
      options,
    );
    expect(problems).toEqual([]);
    expect(model.grants[0]).toMatchObject({ methods: ['GET'], paths: ['/a'] });
  });

  it('validateCellEntity checks one entity on its own; validateConnectionTargets uses a lookup', () => {
    const entities = withComponentSpec({ connections: [{ to: 'target', endpoint: 'nope' }] });
    const caller = entities[2];
    expect(validateCellEntity(caller)).toEqual([]);
    const index = new Map(entities.map(e => [`${e.kind.toLowerCase()}:default/${e.metadata.name}`, e]));
    const problems = validateConnectionTargets(caller, ref => index.get(ref));
    expect(problems).toEqual([expect.objectContaining({ field: 'spec.connections[0].endpoint' })]);
    expect(validateCellEntity(component('x', 'a', { endpoints: 'nope' }))).toEqual([expect.objectContaining({ field: 'spec.endpoints' })]);
  });

  it('ignores entities that are not cells', () => {
    expect(validateCellEntity({ apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'Team_A' }, spec: {} })).toEqual([]);
  });
});
