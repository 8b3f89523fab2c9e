import type { TopologyResponse } from '../api/types';

/** A small two-cell topology in the shape of GET /topology, for tests. */
export function testTopology(): TopologyResponse {
  const protection = { l3l4: true, mtls: true, l7: true };
  const endpoint = (name: string, visibility: 'project' | 'organization' | 'public') => ({
    name,
    port: 8080,
    protocol: 'HTTP' as const,
    visibility,
  });
  return {
    environment: 'dev',
    environments: ['dev', 'prod'],
    cells: [
      {
        entityRef: 'system:default/houston',
        title: 'Houston',
        owner: 'group:default/ground',
        namespace: 'houston',
        state: 'in-sync',
        message: '',
        components: ['component:default/capcom', 'component:default/flight-director'],
      },
      {
        entityRef: 'system:default/orion',
        title: 'Orion',
        owner: 'group:default/crew',
        namespace: 'orion',
        state: 'drifted',
        message: '1 object drifted',
        components: ['component:default/comms-system'],
      },
    ],
    components: [
      {
        entityRef: 'component:default/capcom',
        name: 'capcom',
        owner: 'group:default/ground',
        cell: 'system:default/houston',
        endpoints: [endpoint('api', 'organization')],
        protection,
      },
      {
        entityRef: 'component:default/flight-director',
        name: 'flight-director',
        title: 'Flight Director',
        owner: 'group:default/ground',
        cell: 'system:default/houston',
        endpoints: [
          {
            ...endpoint('api', 'public'),
            operations: [
              { method: 'GET', path: '/status' },
              { method: 'POST', path: '/decision/abort' },
            ],
            auth: { kind: 'jwt' as const, provider: 'artemis-idp', audiences: ['flight-ops'], claims: [{ name: 'scope', values: ['mission.control'] }] },
            rateLimit: { requests: 20, per: 'minute' as const, by: { kind: 'claim' as const, name: 'sub' } },
          },
        ],
        protection: { l3l4: true, mtls: true, l7: false },
      },
      {
        entityRef: 'component:default/comms-system',
        name: 'comms-system',
        owner: 'group:default/crew',
        cell: 'system:default/orion',
        endpoints: [endpoint('api', 'organization')],
        protection,
      },
    ],
    edges: [
      {
        from: 'component:default/capcom',
        to: 'component:default/comms-system',
        endpoint: 'api',
        methods: ['POST'],
        paths: ['/uplink'],
        declaredBy: 'connection',
        crossCell: true,
      },
      {
        from: 'component:default/flight-director',
        to: 'component:default/comms-system',
        endpoint: 'api',
        methods: ['GET', 'POST', 'PUT'],
        paths: ['/status', '/uplink'],
        declaredBy: 'connection',
        crossCell: true,
      },
      { from: 'component:default/capcom', to: 'component:default/flight-director', endpoint: 'api', declaredBy: 'connection', crossCell: false },
      {
        from: 'gateway',
        to: 'component:default/flight-director',
        endpoint: 'api',
        methods: ['GET'],
        paths: ['/status'],
        declaredBy: 'public',
        crossCell: false,
      },
    ],
    externals: [
      { id: 'cidr:10.20.8.0/24', kind: 'cidr', target: '10.20.8.0/24', except: ['10.20.8.0/28'] },
      { id: 'external:api.weather.gov', kind: 'host', target: 'api.weather.gov' },
    ],
    egress: [
      {
        from: 'component:default/capcom',
        id: 'cidr:10.20.8.0/24',
        kind: 'cidr',
        target: '10.20.8.0/24',
        except: ['10.20.8.0/28'],
        port: 5432,
        protocol: 'TCP',
      },
      { from: 'component:default/capcom', id: 'external:api.weather.gov', kind: 'host', target: 'api.weather.gov', port: 443, protocol: 'TLS' },
    ],
  } as TopologyResponse;
}

/** The topology plus platform services: capcom calls the collector, monitoring scrapes comms-system. */
export function withPlatform(topology: TopologyResponse): TopologyResponse {
  return {
    ...topology,
    externals: [
      ...topology.externals,
      { id: 'platform:monitoring', kind: 'platform', target: 'monitoring' },
      { id: 'platform:otel-collector', kind: 'platform', target: 'otel-collector' },
    ],
    egress: [
      ...topology.egress,
      { from: 'component:default/capcom', id: 'platform:otel-collector', kind: 'platform', target: 'otel-collector', port: 4317, protocol: 'TCP' },
    ],
    scrapes: [{ from: 'platform:monitoring', to: 'component:default/comms-system', port: 9464, path: '/metrics' }],
  };
}

/**
 * A topology in the shape of bench/synthetic.ts (the large-catalog example):
 * `cells` cells of `perCell` components `svc-<i>` in cells `cell-<c>`, each
 * calling the next component of its cell and two in other cells.
 */
export function largeTopology(cells: number, perCell = 10): TopologyResponse {
  const count = cells * perCell;
  const ref = (i: number) => `component:default/svc-${i}`;
  const cellOf = (i: number) => Math.floor(i / perCell);
  const protection = { l3l4: true, mtls: true, l7: true };
  return {
    environment: 'dev',
    environments: ['dev'],
    cells: Array.from({ length: cells }, (_, c) => ({
      entityRef: `system:default/cell-${c}`,
      title: `cell-${c}`,
      owner: `group:default/team-${c}`,
      namespace: `cell-${c}`,
      state: 'in-sync' as const,
      message: '',
      components: Array.from({ length: perCell }, (__, k) => ref(c * perCell + k)),
    })),
    components: Array.from({ length: count }, (_, i) => ({
      entityRef: ref(i),
      name: `svc-${i}`,
      owner: `group:default/team-${cellOf(i)}`,
      cell: `system:default/cell-${cellOf(i)}`,
      endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP' as const, visibility: 'organization' as const }],
      protection,
    })),
    edges: Array.from({ length: count }, (_, i) =>
      [cellOf(i) * perCell + ((i + 1) % perCell), (i + 17) % count, (i + 131) % count].map(to => ({
        from: ref(i),
        to: ref(to),
        endpoint: 'http',
        methods: ['GET'],
        paths: ['/api/*'],
        declaredBy: 'connection' as const,
        crossCell: cellOf(i) !== cellOf(to),
      })),
    ).flat(),
    externals: [],
    egress: [],
  };
}
