import { TopologyBase, visibleTopology } from './topology';

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
