import { analyzeExternalConnlist, externalDestinations, externalProtocolOf, formatExternalConnection } from './connlistExternal';
import { analyzeEgress } from './egress';
import { loadCluster } from './load';
import { ambientNamespace, authorizationPolicy, ciliumPolicy, namespace, networkPolicy, pod, waypoint } from './testFixtures';

type Obj = Record<string, unknown>;

const toWaypoint = {
  to: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'egress' } },
      podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'egress' } },
    },
  ],
  ports: [{ protocol: 'TCP', port: 15008 }],
};
const fromApp = (app: string) => ({
  from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app' } }, podSelector: { matchLabels: { app } } }],
  ports: [{ protocol: 'TCP', port: 15008 }],
});

/**
 * A cell `app` whose pods leave through the egress waypoint of namespace
 * `egress` (as Cellplane compiles it): `caller` declared api.example.com (TLS
 * 443, HTTP GET /v1/*) and a database network; `other` declared nothing;
 * `rogue` wears caller's labels under its own account; `plain/outsider` is
 * outside the mesh with no policy.
 */
function cluster(extra: Obj[] = []) {
  const model = loadCluster([
    ambientNamespace('app'),
    ambientNamespace('egress', { 'istio.io/use-waypoint': 'egress' }),
    namespace('plain'),
    pod('app/caller', { serviceAccount: 'caller' }),
    pod('app/other', { serviceAccount: 'other' }),
    pod('app/rogue', { serviceAccount: 'rogue', labels: { app: 'caller' } }),
    pod('plain/outsider', { serviceAccount: 'outsider' }),
    waypoint('egress/egress'),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'api', namespace: 'egress' },
      spec: {
        hosts: ['api.example.com'],
        location: 'MESH_EXTERNAL',
        resolution: 'DNS',
        ports: [
          { number: 443, protocol: 'TLS', name: 'tls-443' },
          { number: 80, protocol: 'HTTP', name: 'http-80' },
          { number: 8443, protocol: 'TLS', name: 'tls-8443' },
        ],
      },
    },
    authorizationPolicy('egress/api', {
      targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'api' }],
      action: 'ALLOW',
      rules: [
        {
          from: [{ source: { principals: ['cluster.local/ns/app/sa/caller'] } }],
          to: [{ operation: { ports: ['443', '8443'] } }],
          when: [{ key: 'connection.sni', values: ['api.example.com'] }],
        },
        { from: [{ source: { principals: ['cluster.local/ns/app/sa/caller'] } }], to: [{ operation: { ports: ['80'], methods: ['GET'], paths: ['/v1/*'] } }] },
      ],
    }),
    networkPolicy('app/default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    networkPolicy('app/caller', {
      podSelector: { matchLabels: { app: 'caller' } },
      policyTypes: ['Egress'],
      egress: [toWaypoint, { to: [{ ipBlock: { cidr: '10.20.0.0/16', except: ['10.20.9.0/24'] } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    }),
    networkPolicy('app/other', { podSelector: { matchLabels: { app: 'other' } }, policyTypes: ['Egress'], egress: [toWaypoint] }),
    networkPolicy('egress/waypoint', {
      podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'egress' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [fromApp('caller'), fromApp('other')],
      egress: [
        {
          to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.169.254/32'] } }],
          ports: [
            { protocol: 'TCP', port: 443 },
            { protocol: 'TCP', port: 80 },
          ],
        },
      ],
    }),
    ...extra,
  ]);
  expect(model.problems).toEqual([]);
  return model;
}

describe('externalDestinations', () => {
  it('lists each ServiceEntry host per protocol with its ports, and each egress network with its carve-outs, from the manifests alone', () => {
    expect(externalDestinations(cluster())).toEqual([
      { kind: 'cidr', target: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.169.254/32'], protocol: 'TCP' },
      { kind: 'cidr', target: '10.20.0.0/16', except: ['10.20.9.0/24'], protocol: 'TCP' },
      {
        kind: 'host',
        target: 'api.example.com',
        protocol: 'HTTP',
        ports: [80],
        samples: [
          { method: 'GET', path: '/' },
          { method: 'GET', path: '/v1/cellplane-probe' },
        ],
      },
      { kind: 'host', target: 'api.example.com', protocol: 'TLS', ports: [443, 8443] },
    ]);
  });

  it.each([
    ['TLS', 'TLS'],
    ['HTTPS', 'TLS'],
    ['https', 'TLS'],
    ['HTTP', 'HTTP'],
    ['HTTP2', 'HTTP'],
    ['GRPC', 'HTTP'],
    ['TCP', 'TCP'],
    ['MONGO', 'TCP'],
  ])('a ServiceEntry port of protocol %s is asked as %s', (port, asked) => {
    expect(externalProtocolOf(port)).toBe(asked);
  });

  it('has none for manifests without ServiceEntries, ipBlocks, toCIDRSet, toFQDNs or toEntities world', () => {
    const model = loadCluster([namespace('plain'), pod('plain/a'), networkPolicy('plain/deny', { podSelector: {}, policyTypes: ['Egress'] })]);
    expect(externalDestinations(model)).toEqual([]);
    expect(analyzeExternalConnlist(model)).toEqual({ destinations: [], connections: [] });
  });
});

describe('analyzeExternalConnlist', () => {
  it('lists what each workload may reach outside the cluster, as the egress check decides', () => {
    const result = analyzeExternalConnlist(cluster());
    expect(result.connections.map(formatExternalConnection)).toEqual([
      // The declared caller: the host on 443 (8443 stops at the waypoint's own egress), GET /v1/* over HTTP, its database network.
      'app/caller -> 10.20.0.0/16:5432 (TCP, except 10.20.9.0/24)',
      'app/caller -> api.example.com:80 (HTTP, only GET /v1/cellplane-probe)',
      'app/caller -> api.example.com:443 (TLS)',
      // app/other reaches nothing: the bound policy names only caller. A pod wearing caller's labels gets the network (L3/L4 is by labels), no host.
      'app/rogue -> 10.20.0.0/16:5432 (TCP, except 10.20.9.0/24)',
      // Outside the mesh and without a policy: everything, directly.
      'plain/outsider -> 0.0.0.0/0:* (TCP, except 10.0.0.0/8,169.254.169.254/32)',
      'plain/outsider -> 10.20.0.0/16:* (TCP, except 10.20.9.0/24)',
      'plain/outsider -> api.example.com:80 (HTTP)',
      'plain/outsider -> api.example.com:443,8443 (TLS)',
    ]);
  });

  it('agrees with analyzeEgress row by row (the check verify and simulate make)', () => {
    const model = cluster();
    const { connections } = analyzeExternalConnlist(model);
    const rows = connections.map(c => `${c.from} ${c.to}`);
    // Every listed pair's first port is allowed; a pair not listed is denied on the ports asked.
    for (const c of connections) {
      const port = c.ranges[0][0];
      const request =
        c.kind === 'host'
          ? { from: c.from, host: c.to, port, protocol: c.protocol, ...(c.protocol === 'HTTP' ? { method: 'GET', path: c.operations ? '/v1/x' : '/' } : {}) }
          : { from: c.from, ip: c.to === '0.0.0.0/0' ? '0.0.0.1' : '10.20.0.1', port };
      expect([c.from, c.to, analyzeEgress(model, request).allowed]).toEqual([c.from, c.to, true]);
    }
    expect(rows).not.toContain('app/other api.example.com');
    expect(analyzeEgress(model, { from: 'app/other', host: 'api.example.com', port: 443 })).toMatchObject({ allowed: false, decidedBy: 'L7' });
    expect(analyzeEgress(model, { from: 'app/caller', host: 'api.example.com', port: 8443 })).toMatchObject({ allowed: false, decidedBy: 'L3/L4' });
  });

  it('reads Cilium toFQDNs, toCIDRSet and toEntities world, each on the ports its rule names', () => {
    const model = loadCluster([
      namespace('plain'),
      pod('plain/outsider', { serviceAccount: 'outsider', labels: { app: 'outsider' } }),
      pod('plain/quiet', { serviceAccount: 'quiet', labels: { app: 'quiet' } }),
      ciliumPolicy('plain/outsider', {
        endpointSelector: { matchLabels: { app: 'outsider' } },
        egress: [
          { toFQDNs: [{ matchName: 'api.weather.gov' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
          { toCIDRSet: [{ cidr: '10.20.8.0/24', except: ['10.20.8.0/28'] }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] },
        ],
      }),
      ciliumPolicy('plain/quiet', {
        endpointSelector: { matchLabels: { app: 'quiet' } },
        egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
      }),
    ]);
    expect(model.problems).toEqual([]);
    expect(analyzeExternalConnlist(model).connections.map(formatExternalConnection)).toEqual([
      'plain/outsider -> 10.20.8.0/24:5432 (TCP, except 10.20.8.0/28)',
      'plain/outsider -> api.weather.gov:443 (TCP)',
      'plain/quiet -> 0.0.0.0/0:8080 (TCP)',
      // The world is every address outside the cluster: the other destinations the manifests name too, on quiet's port.
      'plain/quiet -> 10.20.8.0/24:8080 (TCP, except 10.20.8.0/28)',
      'plain/quiet -> api.weather.gov:8080 (TCP)',
    ]);
  });
});
