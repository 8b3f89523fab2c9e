import { Entity } from '@backstage/catalog-model';
import { cell, component, withOwners } from '../testing/entities';
import { buildCellModel, checkDeclarations, formatProblem } from './catalog';
import { parseCellEntity } from './entity';
import { API_ENDPOINT_ANNOTATION, servedWithin } from './apis';
import { parseOpenApi } from './openapi';
import { compareText } from '../order';

const options = { defaultEnvironments: ['development'] };

const DOCUMENT = `openapi: 3.0.3
info: { title: orders, version: '1' }
paths:
  /orders:
    get: { operationId: listOrders }
    post: { operationId: createOrder }
  /orders/{orderId}:
    get: { operationId: getOrder }
    delete: { operationId: cancelOrder }
  /health:
    get: { operationId: health }
`;

function api(name: string, definition: string = DOCUMENT, annotations?: Record<string, string>, type = 'openapi'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'API',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: { type, lifecycle: 'production', owner: 'group:b-team', definition },
  };
}

/** `orders` in cell b serves the API orders-api on its only endpoint; `caller` in cell a declares `spec`. */
function catalog(callerSpec: Record<string, unknown>, ordersSpec: Record<string, unknown> = {}, apis: Entity[] = [api('orders-api')]) {
  return buildCellModel(
    withOwners([
      cell('a'),
      cell('b'),
      component('caller', 'a', callerSpec),
      component('orders', 'b', { providesApis: ['orders-api'], ...ordersSpec }),
      ...apis,
    ]),
    options,
  );
}

const grantsOf = (model: ReturnType<typeof catalog>['model'], caller: string) =>
  model.grants
    .filter(g => (g.caller.kind === 'gateway' ? 'gateway' : g.caller.ref) === caller)
    .map(g => ({ methods: g.methods, paths: g.paths, field: g.field }))
    // by path, then field: the model's own order is by methods first
    .sort((x, y) => compareText(`${x.paths} ${x.field}`, `${y.paths} ${y.field}`));

describe('operations from the API entity (issue #23)', () => {
  it('narrows a connection without methods or paths to every served operation, one grant per path', () => {
    const { model, problems } = catalog({ connections: [{ to: 'component:default/orders' }] });
    expect(problems).toEqual([]);
    expect(grantsOf(model, 'component:default/caller')).toEqual([
      { methods: ['GET'], paths: ['/health'], field: 'spec.connections[0]' },
      { methods: ['GET', 'POST'], paths: ['/orders'], field: 'spec.connections[0]' },
      { methods: ['DELETE', 'GET'], paths: ['/orders/{*}'], field: 'spec.connections[0]' },
    ]);
    const endpoint = model.components.find(c => c.name === 'orders')!.endpoints[0];
    expect(endpoint.api?.refs).toEqual(['api:default/orders-api']);
    expect(endpoint.operations).toContainEqual({ method: 'DELETE', path: '/orders/orderId' });
  });

  it('intersects methods and paths with the served operations: patterns keep templates, exact paths stay exact', () => {
    const { model, problems } = catalog({
      connections: [
        { to: 'orders', methods: ['GET', 'PUT'], paths: ['/orders/*'] },
        { to: 'orders', methods: ['DELETE'], paths: ['/orders/o-1', '/nothing'] },
      ],
    });
    expect(problems).toEqual([]);
    expect(grantsOf(model, 'component:default/caller')).toEqual([
      { methods: ['DELETE'], paths: ['/orders/o-1'], field: 'spec.connections[1]' },
      { methods: ['GET'], paths: ['/orders/{*}'], field: 'spec.connections[0]' },
    ]);
  });

  it('turns operations: [operationId] into exactly those operations', () => {
    const { model, problems } = catalog({ connections: [{ to: 'orders', operations: ['getOrder', 'listOrders'] }] });
    expect(problems).toEqual([]);
    expect(grantsOf(model, 'component:default/caller')).toEqual([
      { methods: ['GET'], paths: ['/orders'], field: 'spec.connections[0]' },
      { methods: ['GET'], paths: ['/orders/{*}'], field: 'spec.connections[0]' },
    ]);
  });

  it('admits the gateway and allowFrom grants to served operations only', () => {
    const { model, problems } = catalog(
      {},
      {
        endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'public', auth: 'none' }],
        allowFrom: [{ component: 'caller', methods: ['GET'] }],
      },
    );
    expect(problems).toEqual([]);
    expect(grantsOf(model, 'gateway').map(g => `${g.methods} ${g.paths}`)).toEqual(['GET /health', 'GET,POST /orders', 'DELETE,GET /orders/{*}']);
    expect(grantsOf(model, 'component:default/caller').map(g => `${g.methods} ${g.paths}`)).toEqual(['GET /health', 'GET /orders', 'GET /orders/{*}']);
  });

  it('declares a connection for consumesApis, to the provider, for every operation', () => {
    const { model, problems } = catalog({ consumesApis: ['orders-api'] });
    expect(problems).toEqual([]);
    const grants = model.grants.filter(g => g.caller.kind === 'component' && g.caller.ref === 'component:default/caller');
    expect(grants.map(g => [g.callee, g.endpoint, g.field, g.declaredBy])).toEqual(
      Array(3).fill(['component:default/orders', 'http', 'spec.consumesApis[0]', 'component:default/caller']),
    );
  });

  it('leaves a catalog whose APIs are not OpenAPI, or that has none, as it was', () => {
    const plain = catalog({ connections: [{ to: 'orders', methods: ['PUT'] }] }, { providesApis: [] }, []);
    const grpc = catalog({ connections: [{ to: 'orders', methods: ['PUT'] }] }, {}, [api('orders-api', 'syntax = "proto3";', undefined, 'grpc')]);
    expect(plain.problems).toEqual([]);
    expect(grpc.problems).toEqual([]);
    expect(grantsOf(grpc.model, 'component:default/caller')).toEqual([{ methods: ['PUT'], paths: undefined, field: 'spec.connections[0]' }]);
    expect(grpc.model.components.find(c => c.name === 'orders')!.endpoints[0]).not.toHaveProperty('api');
  });

  it.each([
    [
      { connections: [{ to: 'orders', methods: ['PUT'] }] },
      {},
      'component:default/caller',
      'spec.connections[0]',
      /admit none of the operations api:default\/orders-api serves/,
    ],
    [
      { connections: [{ to: 'orders', operations: ['refund'] }] },
      {},
      'component:default/caller',
      'spec.connections[0].operations',
      /has no operation "refund"/,
    ],
    [
      { connections: [{ to: 'orders', operations: ['getOrder'], methods: ['GET'] }] },
      {},
      'component:default/caller',
      'spec.connections[0].operations',
      /next to methods or paths/,
    ],
    [{ consumesApis: ['nowhere-api'] }, {}, 'component:default/caller', 'spec.consumesApis[0]', /api:default\/nowhere-api is not in the catalog/],
    [{}, { providesApis: ['missing-api'] }, 'component:default/orders', 'spec.providesApis[0]', /api:default\/missing-api is not in the catalog/],
    [
      {},
      { endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization', operations: ['GET /orders'] }] },
      'component:default/orders',
      'spec.endpoints[0].operations',
      /serves the operations of api:default\/orders-api/,
    ],
    [
      {},
      {
        endpoints: [
          { name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' },
          { name: 'admin', port: 9090, protocol: 'HTTP', visibility: 'organization' },
        ],
      },
      'component:default/orders',
      'spec.providesApis[0]',
      /cannot tell which of its 2 HTTP endpoints serves it/,
    ],
  ])('refuses %j / %j with an error on %s %s', (callerSpec, ordersSpec, entityRef, field, message) => {
    const { problems } = catalog(callerSpec, ordersSpec);
    expect(problems).toContainEqual(expect.objectContaining({ entityRef, field, message: expect.stringMatching(message) }));
  });

  it('names the API entity and the OpenAPI path of an invalid document, and admits nothing to its endpoint', () => {
    const broken = DOCUMENT.replace('delete: { operationId: cancelOrder }', 'delete: { operationId: listOrders }');
    const { model, problems } = catalog({ connections: [{ to: 'orders' }] }, {}, [api('orders-api', broken)]);
    expect(problems.map(formatProblem)).toEqual([
      'component:default/orders: spec.providesApis[0]: api:default/orders-api spec.definition paths["/orders/{orderId}"].delete.operationId: "listOrders" is also the operationId of paths["/orders"].get. Fix: give every operation its own operationId in the API entity api:default/orders-api.',
    ]);
    expect(model.grants).toEqual([]);
  });

  it('takes the endpoint the API names with the annotation', () => {
    const { model, problems } = catalog(
      { connections: [{ to: 'orders', endpoint: 'admin' }] },
      {
        endpoints: [
          { name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' },
          { name: 'admin', port: 9090, protocol: 'HTTP', visibility: 'organization' },
        ],
      },
      [api('orders-api', DOCUMENT, { [API_ENDPOINT_ANNOTATION]: 'admin' })],
    );
    expect(problems).toEqual([]);
    expect(model.grants.every(g => g.endpoint === 'admin' && g.paths?.length === 1)).toBe(true);
    expect(model.grants).toHaveLength(3);
  });

  it('finds the providers of a consumed API through its relations where the catalog holds them (the catalog module)', () => {
    const [system, , caller] = withOwners([cell('a'), cell('b'), component('caller', 'a', { consumesApis: ['orders-api'] })]);
    const provider = component('orders', 'a', { providesApis: ['orders-api'] });
    const stitched: Entity = { ...api('orders-api'), relations: [{ type: 'apiProvidedBy', targetRef: 'component:default/orders' }] };
    const byRef = new Map<string, Entity>([
      ['system:default/a', system],
      ['component:default/orders', provider],
      ['api:default/orders-api', stitched],
    ]);
    const parsed = parseCellEntity(caller);
    const declarations = checkDeclarations(caller, parsed, ref => byRef.get(ref));
    expect(parsed.problems.problems).toEqual([]);
    expect(declarations.map(d => `${d.callee} ${d.methods} ${d.paths}`)).toEqual([
      'component:default/orders GET /health',
      'component:default/orders GET,POST /orders',
      'component:default/orders DELETE,GET /orders/{*}',
    ]);
  });
});

describe('servedWithin', () => {
  const { operations } = parseOpenApi(DOCUMENT);
  it.each([
    [undefined, undefined, ['GET /health', 'GET,POST /orders', 'DELETE,GET /orders/{*}']],
    [['GET'], ['/orders*'], ['GET /orders', 'GET /orders/{*}']],
    [undefined, ['*h'], ['GET /health']],
    [undefined, ['/orders/42', '/orders/42/x'], ['DELETE,GET /orders/42']],
    [['PATCH'], undefined, []],
  ])('methods %j paths %j leave %j', (methods, paths, expected) => {
    expect(servedWithin(operations, methods, paths).map(o => `${o.methods} ${o.path}`)).toEqual(expected);
  });
});
