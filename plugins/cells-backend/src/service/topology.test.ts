import { TopologyAnswerCache, TopologyBase, visibleTopology } from './topology';

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
