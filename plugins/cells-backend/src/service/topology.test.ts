import { Entity } from '@backstage/catalog-model';
import { buildCellModel, modelOptions, readCellsSettings } from '@cellplane/cells-common';
import { SimulationCache } from './analysis';
import { TopologyAnswerCache, TopologyBase, topologyBase, visibleTopology } from './topology';

const component = (name: string, cell: string) => ({
  entityRef: `component:default/${name}`,
  name,
  owner: 'group:default/team',
  cell: `system:default/${cell}`,
  endpoints: [],
  protection: { l3l4: true, mtls: true, l7: true },
});
const cell = (name: string, components: string[]) => ({
  entityRef: `system:default/${name}`,
  title: name,
  owner: 'group:default/team',
  namespace: name,
  components: components.map(c => `component:default/${c}`),
});
const reach = (from: string, target: string, kind: 'host' | 'cidr', port: number, except?: string[]) => ({
  from: `component:default/${from}`,
  id: kind === 'host' ? `external:${target}` : `cidr:${target}`,
  kind,
  target,
  ...(except ? { except } : {}),
  port,
  protocol: kind === 'host' ? ('TLS' as const) : ('TCP' as const),
});

const base: TopologyBase = {
  environment: 'development',
  environments: ['development'],
  cells: [cell('kennedy', ['weather']), cell('houston', ['capcom'])],
  components: [component('weather', 'kennedy'), component('capcom', 'houston')],
  edges: [],
  externals: [
    { id: 'cidr:10.0.0.0/8', kind: 'cidr', target: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] },
    { id: 'external:api.weather.gov', kind: 'host', target: 'api.weather.gov' },
    { id: 'external:nasa.gov', kind: 'host', target: 'nasa.gov' },
  ],
  egress: [
    reach('capcom', '10.0.0.0/8', 'cidr', 5432, ['10.1.0.0/16']),
    reach('weather', '10.0.0.0/8', 'cidr', 5432, ['10.2.0.0/16']),
    reach('capcom', 'nasa.gov', 'host', 443),
    reach('weather', 'api.weather.gov', 'host', 443),
  ],
};

describe('visibleTopology outside the cluster', () => {
  it('keeps everything when every cell may be read', () => {
    expect(visibleTopology(base, () => true)).toBe(base);
  });

  it('shows an external destination only when a readable component reaches it, with only its carve-outs', () => {
    const shown = visibleTopology(base, ref => ref === 'system:default/kennedy');
    expect(shown.egress).toEqual([reach('weather', '10.0.0.0/8', 'cidr', 5432, ['10.2.0.0/16']), reach('weather', 'api.weather.gov', 'host', 443)]);
    expect(shown.externals).toEqual([
      { id: 'cidr:10.0.0.0/8', kind: 'cidr', target: '10.0.0.0/8', except: ['10.2.0.0/16'] },
      { id: 'external:api.weather.gov', kind: 'host', target: 'api.weather.gov' },
    ]);
  });

  it('shows nothing outside when no cell may be read', () => {
    const shown = visibleTopology(base, () => false);
    expect({ externals: shown.externals, egress: shown.egress }).toEqual({ externals: [], egress: [] });
  });
});

describe('TopologyAnswerCache: served answers bounded in bytes (issue 22, item 2)', () => {
  const states = (state: 'in-sync' | 'drifted') => base.cells.map(() => ({ state, message: state }));
  const sizeOf = (cache: TopologyAnswerCache, make: (answers: ReturnType<TopologyAnswerCache['scope']>) => void) => {
    const before = cache.bytes;
    make(cache.scope());
    return cache.bytes - before;
  };

  it('serves one body and ETag per set of cells and states, and counts its key, JSON and gzip', () => {
    const cache = new TopologyAnswerCache(10 * 2 ** 20);
    const answers = cache.scope();
    const first = answers.answer(base, states('in-sync'));
    expect(answers.answer(base, states('in-sync'))).toBe(first);
    expect(answers.answer(base, states('drifted'))).not.toBe(first);
    const held = cache.bytes;
    expect(held).toBeGreaterThan(2 * first.body.length);
    first.gzip();
    expect(cache.bytes).toBe(held + first.gzip().body.length);
  });

  it('evicts the least recently asked answers past its bound, across snapshots', () => {
    const one = sizeOf(new TopologyAnswerCache(2 ** 20), a => a.answer(base, states('in-sync')));
    // Room for two answers and a half.
    const cache = new TopologyAnswerCache(Math.floor(one * 2.5));
    const older = cache.scope();
    const newer = cache.scope();
    const a = older.answer(base, states('in-sync'));
    const b = older.answer(base, states('drifted'));
    expect(older.answer(base, states('in-sync'))).toBe(a);
    // A third answer (the next snapshot's) evicts the least recently asked: b.
    newer.answer(base, states('in-sync'));
    expect(cache.bytes).toBeLessThanOrEqual(Math.floor(one * 2.5));
    expect(older.answer(base, states('in-sync'))).toBe(a);
    expect(older.answer(base, states('drifted'))).not.toBe(b);
  });

  it('serves an answer larger than the whole bound without keeping it', () => {
    const cache = new TopologyAnswerCache(100);
    const answers = cache.scope();
    const served = answers.answer(base, states('in-sync'));
    expect(JSON.parse(served.body.toString()).cells).toHaveLength(base.cells.length);
    expect(cache.bytes).toBe(0);
    expect(answers.answer(base, states('in-sync'))).not.toBe(served);
  });
});

describe('topologyBase with platform services', () => {
  const spec = (extra: Record<string, unknown>) => ({
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/team',
    system: 'telemetry',
    endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
    ...extra,
  });
  const entities: Entity[] = [
    { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'team', namespace: 'default' }, spec: { type: 'team', children: [] } },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name: 'telemetry', namespace: 'default' },
      spec: { owner: 'group:default/team', cell: { egress: { platform: ['otel-collector'] } } },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'ingest', namespace: 'default' },
      spec: spec({ metrics: { port: 8080 }, egress: [{ platform: 'otel-collector', port: 4317 }] }),
    },
    { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'quiet', namespace: 'default' }, spec: spec({}) },
  ];
  const settings = readCellsSettings({
    platform: {
      services: [
        { name: 'monitoring', role: 'scrapes', namespace: 'monitoring', podLabels: { app: 'prometheus' }, serviceAccount: 'prometheus' },
        { name: 'otel-collector', role: 'called', namespace: 'observability', podLabels: { app: 'otel-collector' }, ports: [4317] },
      ],
    },
  });

  it('draws platform:<name> nodes the analyzer admits: the collector a component calls, the scraper of its metrics', () => {
    const { model, problems } = buildCellModel(entities, modelOptions(settings));
    expect(problems).toEqual([]);
    const byRef = new Map(entities.map(e => [`${e.kind.toLowerCase()}:default/${e.metadata.name}`, e]));
    const view = new SimulationCache().build({ model, held: new Map(), entities: byRef }, settings, 'development');
    const topology = topologyBase({ model, entities: byRef, settings, environment: 'development', environments: ['development'], protection: new Map(), view });
    expect(topology.externals).toEqual([
      { id: 'platform:monitoring', kind: 'platform', target: 'monitoring' },
      { id: 'platform:otel-collector', kind: 'platform', target: 'otel-collector' },
    ]);
    expect(topology.egress).toEqual([
      { from: 'component:default/ingest', id: 'platform:otel-collector', kind: 'platform', target: 'otel-collector', port: 4317, protocol: 'TCP' },
    ]);
    expect(topology.scrapes).toEqual([{ from: 'platform:monitoring', to: 'component:default/ingest', port: 8080, path: '/metrics' }]);

    // A reader who may not see the cell sees neither node nor scrape.
    const hidden = visibleTopology({ ...topology, cells: [...topology.cells, cell('other', [])] }, ref => ref === 'system:default/other');
    expect({ externals: hidden.externals, egress: hidden.egress, scrapes: hidden.scrapes }).toEqual({ externals: [], egress: [], scrapes: undefined });
  });

  it('leaves scrapes out of a topology without platform services', () => {
    expect('scrapes' in visibleTopology(base, ref => ref === 'system:default/kennedy')).toBe(false);
  });
});
