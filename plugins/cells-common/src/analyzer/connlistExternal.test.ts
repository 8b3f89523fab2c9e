import { analyzeExternalConnlist, externalDestinations, externalProtocolOf, formatExternalConnection } from './connlistExternal';
import { analyzeEgress } from './egress';
import { loadCluster } from './load';
import { ciliumPolicy, namespace, networkPolicy, pod } from './testFixtures';
import { egressCluster, Obj } from './testEgressCluster';

function cluster(extra: Obj[] = []) {
  const model = egressCluster(extra);
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
