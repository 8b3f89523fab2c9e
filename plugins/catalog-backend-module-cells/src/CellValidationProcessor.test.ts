import { Entity } from '@backstage/catalog-model';
import { processingResult } from '@backstage/plugin-catalog-node';
import { CellValidationProcessor, EntityFetcher } from './CellValidationProcessor';

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
      const ref = `${e.kind.toLowerCase()}:default/${e.metadata.name}`;
      if (refs.includes(ref)) found.set(ref, e);
    }
    return found;
  };
  return { fetch, asked };
}

async function run(processor: CellValidationProcessor, entity: Entity) {
  const emitted: any[] = [];
  const out = await processor.postProcessEntity(entity, location, i =>
    emitted.push(i),
  );
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
    expect(await run(processor, caller)).toEqual([]);
    // own cell and target first, then the target's cell
    expect(asked.flat().sort()).toEqual([
      'component:default/target',
      'system:default/home',
      'system:default/other',
    ]);
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
    expect(emitted.map(e => e.error.name)).toEqual([
      'InputError',
      'InputError',
      'InputError',
    ]);
    const messages = emitted.map(e => e.error.message);
    expect(messages[0]).toMatch(
      /^component:default\/caller: spec\.endpoints\[0\]\.port: .*15008.* Fix: /,
    );
    expect(messages[1]).toMatch(
      /^component:default\/caller: spec\.connections\[0\]\.to: .*visible only inside system:default\/other.* Fix: /,
    );
    expect(messages[2]).toMatch(
      /^component:default\/caller: spec\.connections\[1\]\.to: component:default\/ghost is not in the catalog\. Fix: /,
    );
    // the same shape as processingResult.inputError builds
    expect(emitted[2]).toEqual(processingResult.inputError(location, messages[2]));
  });

  it('reports a component whose system is not a cell', async () => {
    const { fetch } = fetcherOf([{ ...system('home'), spec: { owner: 'me' } }]);
    const processor = new CellValidationProcessor(fetch);
    const emitted = await run(
      processor,
      component('lonely', { system: 'home', endpoints: [http('project')] }),
    );
    expect(emitted.map(e => e.error.message)).toEqual([
      expect.stringMatching(/^component:default\/lonely: spec\.system: .* Fix: /),
    ]);
  });
});
