import { Entity, RELATION_DEPENDENCY_OF, RELATION_DEPENDS_ON, stringifyEntityRef } from '@backstage/catalog-model';
import { processingResult } from '@backstage/plugin-catalog-node';
import { CellValidationProcessor, EntityFetcher, dependencyEdges } from './CellValidationProcessor';

const location = { type: 'file', target: '/tmp/cells.yaml' };

const system = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name, namespace: 'default' },
  spec: { owner: 'group:default/team', cell: {} },
});

const component = (name: string, spec: Record<string, unknown>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/team',
    ...spec,
  },
});

const http = (visibility: string) => ({
  name: 'http',
  port: 8080,
  protocol: 'HTTP',
  visibility,
});

/** A fetcher over a fixed set of entities that records what it was asked. */
function fetcherOf(entities: Entity[]) {
  const asked: string[][] = [];
  const fetch: EntityFetcher = async refs => {
    asked.push(refs);
    const found = new Map<string, Entity>();
    for (const e of entities) {
      const ref = `${e.kind.toLowerCase()}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`;
      if (refs.includes(ref)) found.set(ref, e);
    }
    return found;
  };
  return { fetch, asked };
}

async function run(processor: CellValidationProcessor, entity: Entity) {
  const emitted: any[] = [];
  const out = await processor.postProcessEntity(entity, location, i => emitted.push(i));
  expect(out).toBe(entity);
  return emitted;
}

describe('CellValidationProcessor', () => {
  it('leaves entities that are not cells alone, without looking anything up', async () => {
    const { fetch, asked } = fetcherOf([]);
    const processor = new CellValidationProcessor(fetch);
    const plain = component('plain', { system: 'somewhere' });
    expect(await run(processor, plain)).toEqual([]);
    expect(await run(processor, { ...system('x'), spec: { owner: 'me' } })).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('looks up what the checks need, round by round, and accepts a valid connection', async () => {
    const target = component('target', {
      system: 'other',
      endpoints: [http('organization')],
    });
    const { fetch, asked } = fetcherOf([system('home'), system('other'), target]);
    const processor = new CellValidationProcessor(fetch);
    const caller = component('caller', {
      system: 'home',
      endpoints: [http('project')],
      connections: [{ to: 'target', endpoint: 'http', methods: ['GET'] }],
    });
    const emitted = await run(processor, caller);
    expect(emitted.filter(e => e.type === 'error')).toEqual([]);
    expect(emitted.map(e => e.type)).toEqual(['relation', 'relation']);
    // own cell and target first, then the target's cell
    expect(asked.flat().sort()).toEqual(['component:default/target', 'system:default/home', 'system:default/other']);
  });

  it('emits one input error per problem, naming entity, field and fix', async () => {
    const target = component('target', {
      system: 'other',
      endpoints: [http('project')],
    });
    const { fetch } = fetcherOf([system('home'), system('other'), target]);
    const processor = new CellValidationProcessor(fetch);
    const caller = component('caller', {
      system: 'home',
      endpoints: [{ ...http('project'), port: 15008 }],
      connections: [{ to: 'target', endpoint: 'http' }, { to: 'ghost' }],
    });
    const emitted = await run(processor, caller);
    expect(emitted.map(e => e.type)).toEqual(['error', 'error', 'error']);
    expect(emitted.every(e => e.location === location)).toBe(true);
    expect(emitted.map(e => e.error.name)).toEqual(['InputError', 'InputError', 'InputError']);
    const messages = emitted.map(e => e.error.message);
    expect(messages[0]).toMatch(/^component:default\/caller: spec\.endpoints\[0\]\.port: .*15008.* Fix: /);
    expect(messages[1]).toMatch(/^component:default\/caller: spec\.connections\[0\]\.to: .*visible only inside system:default\/other.* Fix: /);
    expect(messages[2]).toMatch(/^component:default\/caller: spec\.connections\[1\]\.to: component:default\/ghost is not in the catalog\. Fix: /);
    // the same shape as processingResult.inputError builds
    expect(emitted[2]).toEqual(processingResult.inputError(location, messages[2]));
  });

  it('reports a misspelled Cellplane field, even on a component that has no other, with the fix', async () => {
    const { fetch } = fetcherOf([system('home')]);
    const processor = new CellValidationProcessor(fetch);
    const typo = component('typo', {
      system: 'home',
      conections: [{ to: 'target', endpoint: 'http' }],
    });
    const emitted = await run(processor, typo);
    expect(emitted).toEqual([
      processingResult.inputError(
        location,
        'component:default/typo: spec.conections: unknown field "conections" is a near miss of `connections` (a misspelled field would be ignored). Fix: did you mean `connections`? Rename the field.',
      ),
    ]);
    const nested = component('nested', {
      system: 'home',
      endpoints: [{ ...http('project'), visiblity: 'public' }],
    });
    expect((await run(processor, nested)).map(e => e.error.message)).toEqual([
      'component:default/nested: spec.endpoints[0].visiblity: unknown field "visiblity". Fix: did you mean `visibility`? Rename the field.',
    ]);
  });

  it('reports a component whose system is not a cell', async () => {
    const { fetch } = fetcherOf([{ ...system('home'), spec: { owner: 'me' } }]);
    const processor = new CellValidationProcessor(fetch);
    const emitted = await run(processor, component('lonely', { system: 'home', endpoints: [http('project')] }));
    expect(emitted.map(e => e.error.message)).toEqual([expect.stringMatching(/^component:default\/lonely: spec\.system: .* Fix: /)]);
  });
});

describe('CellValidationProcessor on hostile entities', () => {
  const team: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team', namespace: 'default' },
    spec: { type: 'team', children: [] },
  };
  const messagesOf = (emitted: any[]) => emitted.filter(e => e.type === 'error').map(e => e.error.message);

  it('refuses a component of another catalog namespace that names a cell, even without cell fields', async () => {
    const { fetch, asked } = fetcherOf([system('houston'), team]);
    const processor = new CellValidationProcessor(fetch);
    const spy = { ...component('spy', { system: 'system:default/houston' }), metadata: { name: 'spy', namespace: 'evil' } };
    expect(messagesOf(await run(processor, spy))).toEqual([
      expect.stringMatching(
        /^component:evil\/spy: spec\.system: system:default\/houston does not admit components of catalog namespace evil.*Fix: ask the owner of system:default\/houston \(group:default\/team\)/,
      ),
    ]);
    expect(asked.flat()).toEqual(['system:default/houston']);
    // Admitted by the cell's members: no error.
    const open = { ...system('houston'), spec: { owner: 'group:default/team', cell: { members: [{ namespace: 'evil' }] } } };
    expect(messagesOf(await run(new CellValidationProcessor(fetcherOf([open]).fetch), spy))).toEqual([]);
  });

  it("looks nothing up for a plain component of its system's own catalog namespace", async () => {
    const { fetch, asked } = fetcherOf([]);
    expect(await run(new CellValidationProcessor(fetch), component('plain', { system: 'houston' }))).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('refuses a cell owner that is a system: name, unknown, or outside cells.rbac.subjects', async () => {
    const owned = (owner: string) => ({ ...system('houston'), spec: { owner, cell: {} } });
    const check = async (owner: string, options = {}) => messagesOf(await run(new CellValidationProcessor(fetcherOf([team]).fetch, options), owned(owner)));
    expect(await check('group:default/system:authenticated')).toEqual([
      expect.stringMatching(/^system:default\/houston: spec\.owner: .*system:authenticated.*Fix: /),
    ]);
    expect(await check('group:default/ghosts')).toEqual([expect.stringMatching(/spec\.owner: group:default\/ghosts is not in the catalog/)]);
    expect(await check('group:default/team', { ownerSubjects: ['user:*/*'] })).toEqual([expect.stringMatching(/not admitted by cells\.rbac\.subjects/)]);
    expect(await check('group:default/team')).toEqual([]);
    expect(await check('group:default/system:masters', { ownerSubjects: false })).toEqual([]);
  });

  it('refuses a cell component named like a reserved object', async () => {
    const { fetch } = fetcherOf([system('houston'), team]);
    const processor = new CellValidationProcessor(fetch, { reservedComponentNames: ['default', 'waypoint'] });
    expect(messagesOf(await run(processor, component('waypoint', { system: 'houston' })))).toEqual([
      expect.stringMatching(/^component:default\/waypoint: metadata\.name: a cell component cannot be named waypoint.*Fix: rename the component/),
    ]);
  });
});

describe('CellValidationProcessor relations', () => {
  const relationsOf = (emitted: any[]) =>
    emitted.filter(e => e.type === 'relation').map(e => `${stringifyEntityRef(e.relation.source)} ${e.relation.type} ${stringifyEntityRef(e.relation.target)}`);

  const target = component('target', {
    system: 'other',
    endpoints: [
      http('organization'),
      {
        name: 'grpc',
        port: 9090,
        protocol: 'GRPC',
        visibility: 'organization',
      },
    ],
  });

  it('turns a valid connection into dependsOn and dependencyOf, once per pair', async () => {
    const { fetch } = fetcherOf([system('home'), system('other'), target]);
    const processor = new CellValidationProcessor(fetch);
    const caller = component('caller', {
      system: 'home',
      endpoints: [{ ...http('public'), auth: 'none' }],
      connections: [
        { to: 'target', endpoint: 'http', methods: ['GET'] },
        { to: 'component:default/target', endpoint: 'grpc' },
      ],
    });
    const emitted = await run(processor, caller);
    expect(emitted.filter(e => e.type === 'error')).toEqual([]);
    // The public endpoint (the gateway as caller) makes no relation.
    expect(relationsOf(emitted)).toEqual([
      `component:default/caller ${RELATION_DEPENDS_ON} component:default/target`,
      `component:default/target ${RELATION_DEPENDENCY_OF} component:default/caller`,
    ]);
    expect(emitted[0]).toEqual(
      processingResult.relation({
        source: { kind: 'component', namespace: 'default', name: 'caller' },
        target: { kind: 'component', namespace: 'default', name: 'target' },
        type: 'dependsOn',
      }),
    );
  });

  it('emits no relation for an invalid connection, and keeps the valid ones', async () => {
    const { fetch } = fetcherOf([system('home'), system('other'), target]);
    const processor = new CellValidationProcessor(fetch);
    const caller = component('caller', {
      system: 'home',
      endpoints: [http('project')],
      connections: [
        { to: 'ghost', endpoint: 'http' },
        { to: 'target', endpoint: 'missing' },
        { to: 'target', endpoint: 'grpc', methods: ['GET'] },
      ],
    });
    const emitted = await run(processor, caller);
    expect(emitted.filter(e => e.type === 'error')).toHaveLength(2);
    expect(relationsOf(emitted)).toEqual([
      'component:default/caller dependsOn component:default/target',
      'component:default/target dependencyOf component:default/caller',
    ]);

    const onlyInvalid = component('caller', {
      system: 'home',
      endpoints: [http('project')],
      connections: [{ to: 'target', endpoint: 'missing' }],
    });
    expect(relationsOf(await run(processor, onlyInvalid))).toEqual([]);
  });

  it('makes the granted component depend on the callee, and a granted cell as a whole', async () => {
    const granted = component('granted', {
      system: 'home',
      endpoints: [http('project')],
    });
    const { fetch } = fetcherOf([system('home'), system('other'), granted]);
    const processor = new CellValidationProcessor(fetch);
    const callee = component('callee', {
      system: 'other',
      endpoints: [http('organization')],
      allowFrom: [
        { component: 'granted', methods: ['POST'] },
        { component: 'granted', methods: ['GET'] },
        { system: 'home', methods: ['GET'] },
        { component: 'nobody' },
      ],
    });
    const emitted = await run(processor, callee);
    expect(emitted.filter(e => e.type === 'error').map(e => e.error.message)).toEqual([
      expect.stringMatching(/spec\.allowFrom\[3\]\.component: component:default\/nobody is not in the catalog/),
    ]);
    expect(relationsOf(emitted)).toEqual([
      'component:default/granted dependsOn component:default/callee',
      'component:default/callee dependencyOf component:default/granted',
      'system:default/home dependsOn component:default/callee',
      'component:default/callee dependencyOf system:default/home',
    ]);
  });

  it('emits nothing for a cell System whose owner is a Group of the catalog', async () => {
    const team: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'team', namespace: 'default' },
      spec: { type: 'team', children: [] },
    };
    const processor = new CellValidationProcessor(fetcherOf([team]).fetch);
    expect(await run(processor, system('home'))).toEqual([]);
  });
});

describe('dependencyEdges', () => {
  it('reads the OpenAPI API a target provides: narrows the connection, refuses an unknown operationId, and finds consumed APIs through their relations (issue #23)', async () => {
    const definition = 'openapi: 3.0.3\npaths:\n  /orders/{id}: { get: { operationId: getOrder } }\n';
    const ordersApi: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'API',
      metadata: { name: 'orders-api', namespace: 'default' },
      spec: { type: 'openapi', lifecycle: 'production', owner: 'group:default/team', definition },
      relations: [{ type: 'apiProvidedBy', targetRef: 'component:default/orders' }],
    };
    const orders = component('orders', { system: 'b', providesApis: ['orders-api'], endpoints: [http('organization')] });
    const { fetch, asked } = fetcherOf([system('a'), system('b'), orders, ordersApi]);
    const processor = new CellValidationProcessor(fetch);
    const good = await processor.check(component('caller', { system: 'a', connections: [{ to: 'orders', operations: ['getOrder'] }] }));
    expect(good.problems).toEqual([]);
    expect(good.declarations.map(d => `${d.callee} ${d.methods} ${d.paths}`)).toEqual(['component:default/orders GET /orders/{*}']);
    expect(asked.flat()).toContain('api:default/orders-api');
    const bad = await processor.check(component('caller', { system: 'a', connections: [{ to: 'orders', operations: ['deleteOrder'] }] }));
    expect(bad.problems).toEqual([
      expect.objectContaining({ field: 'spec.connections[0].operations', message: 'api:default/orders-api has no operation "deleteOrder"' }),
    ]);
    const consumer = component('consumer', { system: 'a', consumesApis: ['orders-api'] });
    const emitted = await run(processor, consumer);
    expect(emitted).toEqual([
      processingResult.relation({
        source: { kind: 'component', namespace: 'default', name: 'consumer' },
        target: { kind: 'component', namespace: 'default', name: 'orders' },
        type: RELATION_DEPENDS_ON,
      }),
      processingResult.relation({
        source: { kind: 'component', namespace: 'default', name: 'orders' },
        target: { kind: 'component', namespace: 'default', name: 'consumer' },
        type: RELATION_DEPENDENCY_OF,
      }),
    ]);
  });

  it('skips the gateway and self-edges, and normalizes refs', () => {
    expect(
      dependencyEdges([
        {
          caller: { kind: 'gateway' },
          callee: 'component:default/a',
          endpoint: 'http',
          declaredBy: 'component:default/a',
          field: 'spec.endpoints[0].visibility',
        },
        {
          caller: { kind: 'component', ref: 'component:default/a' },
          callee: 'component:default/A',
          endpoint: 'http',
          declaredBy: 'component:default/a',
          field: 'spec.allowFrom[0]',
        },
        {
          caller: { kind: 'component', ref: 'component:team/Caller' },
          callee: 'component:default/a',
          endpoint: 'http',
          declaredBy: 'component:team/Caller',
          field: 'spec.connections[0]',
        },
      ]),
    ).toEqual([{ caller: 'component:team/caller', callee: 'component:default/a' }]);
  });
});

describe('CellValidationProcessor with cells.compliance.requireReasons', () => {
  const target = component('target', {
    system: 'other',
    endpoints: [http('organization')],
  });
  const caller = (reason?: string) =>
    component('caller', {
      system: 'home',
      connections: [{ to: 'target', endpoint: 'http', ...(reason ? { reason } : {}) }],
    });

  it('refuses a connection without a reason, naming the field and the fix, and relates nothing', async () => {
    const { fetch } = fetcherOf([system('home'), system('other'), target]);
    const processor = new CellValidationProcessor(fetch, {
      requireReasons: true,
    });
    const emitted = await run(processor, caller());
    expect(emitted.map(e => e.type)).toEqual(['error']);
    expect(emitted[0].error.message).toMatch(
      /^component:default\/caller: spec\.connections\[0\]\.reason: gives no reason, and cells\.compliance\.requireReasons requires one .*\. Fix: add reason: /,
    );
  });

  it('accepts it with a reason, and without the rule', async () => {
    const { fetch } = fetcherOf([system('home'), system('other'), target]);
    const strict = new CellValidationProcessor(fetch, { requireReasons: true });
    expect((await run(strict, caller('reads the status'))).map(e => e.type)).toEqual(['relation', 'relation']);
    const lenient = new CellValidationProcessor(fetch);
    expect((await run(lenient, caller())).map(e => e.type)).toEqual(['relation', 'relation']);
  });
});
