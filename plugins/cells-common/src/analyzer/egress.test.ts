import { analyzeEgress, egressAllowed, EgressRequest } from './egress';
import { loadCluster } from './load';
import { ambientNamespace, authorizationPolicy, ciliumPolicy, namespace, networkPolicy, pod, waypoint } from './testFixtures';

type Obj = Record<string, unknown>;

const serviceEntry = (key: string, hosts: string[], ports: { number: number; protocol: string }[], labels: Record<string, string> = {}): Obj => {
  const [ns, name] = key.split('/');
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name, namespace: ns, labels },
    spec: { hosts, location: 'MESH_EXTERNAL', resolution: 'DNS', ports: ports.map(p => ({ ...p, name: `p-${p.number}` })) },
  };
};
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

/** A cell `app` whose pods leave only through the egress waypoint of namespace `egress`, as Cellplane compiles it. */
function cluster(extra: Obj[] = []) {
  return loadCluster([
    ambientNamespace('app'),
    ambientNamespace('egress', { 'istio.io/use-waypoint': 'egress' }),
    namespace('plain'),
    pod('app/caller', { serviceAccount: 'caller' }),
    pod('app/other', { serviceAccount: 'other' }),
    pod('app/rogue', { serviceAccount: 'rogue', labels: { app: 'caller' } }),
    pod('plain/outsider', { serviceAccount: 'outsider' }),
    waypoint('egress/egress'),
    serviceEntry(
      'egress/api',
      ['api.example.com'],
      [
        { number: 443, protocol: 'TLS' },
        { number: 80, protocol: 'HTTP' },
        { number: 8443, protocol: 'TLS' },
      ],
    ),
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
}

type Row = [string, EgressRequest, boolean, string | null];
function check(rows: Row[], extra: Obj[] = []) {
  const model = cluster(extra);
  expect(model.problems).toEqual([]);
  it.each(rows)('%s', (_name, request, allowed, decidedBy) => {
    const result = analyzeEgress(model, request);
    expect({ allowed: result.allowed, decidedBy: result.decidedBy }).toEqual({ allowed, decidedBy });
    expect(egressAllowed(model, request)).toBe(allowed);
  });
}

describe("egress-1: a ServiceEntry's hosts go through its waypoint, where its bound policies apply", () => {
  check([
    ['the declared caller reaches the host', { from: 'app/caller', host: 'api.example.com', port: 443 }, true, null],
    ['another meshed pod that may reach the waypoint is denied by the bound policy', { from: 'app/other', host: 'api.example.com', port: 443 }, false, 'L7'],
    ["a pod wearing the caller's labels passes L3/L4 and is denied by principal", { from: 'app/rogue', host: 'api.example.com', port: 443 }, false, 'L7'],
  ]);
  it('names the policy and the route', () => {
    const result = analyzeEgress(cluster(), { from: 'app/caller', host: 'api.example.com', port: 443 });
    expect(result.layers.find(l => l.layer === 'L7')!.policies).toEqual(['egress/api']);
    expect(result.hops.map(h => h.description)).toEqual(['caller -> egress waypoint egress/egress', 'egress waypoint egress/egress -> api.example.com']);
  });
});

describe("egress-2: the waypoint does not stop a direct connection; the pod's own L3/L4 does", () => {
  check([
    ["the host's address dialled directly", { from: 'app/caller', ip: '198.51.100.7', port: 443 }, false, 'L3/L4'],
    ['a host no ServiceEntry routes', { from: 'app/caller', host: 'unknown.example.org', port: 443 }, false, 'L3/L4'],
    ['the metadata address', { from: 'app/caller', ip: '169.254.169.254', port: 80 }, false, 'L3/L4'],
    ['a pod outside the mesh with no egress policy leaves freely', { from: 'plain/outsider', host: 'api.example.com', port: 443 }, true, null],
  ]);
});

describe('egress-3: TLS shows the waypoint the SNI, nothing more', () => {
  check([
    ['a TLS caller sending another SNI', { from: 'app/caller', host: 'api.example.com', port: 443, sni: 'evil.example.org' }, false, 'L7'],
    [
      'plain HTTP with the declared method and path',
      { from: 'app/caller', host: 'api.example.com', port: 80, protocol: 'HTTP', method: 'GET', path: '/v1/forecast' },
      true,
      null,
    ],
    [
      'plain HTTP with another method',
      { from: 'app/caller', host: 'api.example.com', port: 80, protocol: 'HTTP', method: 'POST', path: '/v1/forecast' },
      false,
      'L7',
    ],
    [
      'TLS on the port whose rule needs a method: the waypoint cannot see one',
      { from: 'app/caller', host: 'api.example.com', port: 80, protocol: 'TLS' },
      false,
      'L7',
    ],
  ]);
});

describe('egress-4: NetworkPolicy has no FQDN: the waypoint reaches the world on its ports', () => {
  check([
    [
      'any public address on a declared port (the host is enforced at L7)',
      { from: 'app/caller', host: 'api.example.com', ip: '203.0.113.9', port: 443 },
      true,
      null,
    ],
    ['a port the waypoint may not use', { from: 'app/caller', host: 'api.example.com', port: 8443 }, false, 'L3/L4'],
  ]);
});

describe('egress-5: a network entry is enforced at L3/L4, by labels', () => {
  check([
    ['an address of the network on its port', { from: 'app/caller', ip: '10.20.1.5', port: 5432 }, true, null],
    ['an address carved out by except', { from: 'app/caller', ip: '10.20.9.5', port: 5432 }, false, 'L3/L4'],
    ['the next port', { from: 'app/caller', ip: '10.20.1.5', port: 5433 }, false, 'L3/L4'],
    ['another component', { from: 'app/other', ip: '10.20.1.5', port: 5432 }, false, 'L3/L4'],
    ["a pod that copies the component's labels gets in: nothing checks identity here", { from: 'app/rogue', ip: '10.20.1.5', port: 5432 }, true, null],
  ]);
});

describe('cilium-9: toFQDNs admits a connection opened for a matching name', () => {
  const fqdn = (selector: Obj) =>
    ciliumPolicy('plain/outsider', {
      endpointSelector: { matchLabels: { app: 'outsider' } },
      egress: [{ toFQDNs: [selector], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
    });
  describe('matchPattern *.example.com', () => {
    check(
      [
        ['a name one label under the suffix', { from: 'plain/outsider', host: 'a.example.com', port: 443 }, true, null],
        ['the suffix itself', { from: 'plain/outsider', host: 'example.com', port: 443 }, false, 'L3/L4'],
        ['two labels under the suffix (* stays within a label)', { from: 'plain/outsider', host: 'a.b.example.com', port: 443 }, false, 'L3/L4'],
        ['an address without a name', { from: 'plain/outsider', ip: '198.51.100.7', port: 443 }, false, 'L3/L4'],
        ['another port', { from: 'plain/outsider', host: 'a.example.com', port: 80 }, false, 'L3/L4'],
      ],
      [fqdn({ matchPattern: '*.example.com' })],
    );
  });
  describe('matchName', () => {
    check(
      [
        ['the name, in any case', { from: 'plain/outsider', host: 'API.example.com', port: 443 }, true, null],
        ['a name under it', { from: 'plain/outsider', host: 'x.api.example.com', port: 443 }, false, 'L3/L4'],
      ],
      [fqdn({ matchName: 'api.example.com' })],
    );
  });
  it('refuses an entry with neither matchName nor matchPattern', () => {
    expect(cluster([fqdn({ matchNames: 'x' })]).problems).toEqual([expect.objectContaining({ field: 'spec.egress[0].toFQDNs[0]' })]);
  });
});

describe('egressAllowed (verdicts only) agrees with analyzeEgress', () => {
  const sources = ['app/caller', 'app/other', 'app/rogue', 'plain/outsider'];
  const destinations: Omit<EgressRequest, 'from'>[] = [];
  for (const port of [80, 443, 5432, 8443, 9999]) {
    for (const host of ['api.example.com', 'a.example.com', 'unknown.example.org', undefined]) {
      for (const ip of [undefined, '198.51.100.7', '10.20.1.5', '10.20.9.5', '169.254.169.254']) {
        if (!host && !ip) continue;
        destinations.push({ host, ip, port });
        if (host) destinations.push({ host, ip, port, sni: 'evil.example.org' }, { host, ip, port, protocol: 'TCP' });
        for (const method of ['GET', 'POST']) destinations.push({ host, ip, port, protocol: 'HTTP', method, path: '/v1/forecast' });
      }
    }
  }
  const flavours: [string, Obj[]][] = [
    ['NetworkPolicy', []],
    [
      'with a Cilium toFQDNs policy',
      [
        ciliumPolicy('plain/outsider', {
          endpointSelector: { matchLabels: { app: 'outsider' } },
          egress: [{ toFQDNs: [{ matchPattern: '*.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
        }),
      ],
    ],
  ];
  it.each(flavours)('on every source, destination and request shape (%s)', (_name, extra) => {
    const model = cluster(extra);
    const verdicts = sources.flatMap(from =>
      destinations.map(d => {
        const request = { from, ...d };
        expect([request, egressAllowed(model, request)]).toEqual([request, analyzeEgress(model, request).allowed]);
        return egressAllowed(model, request);
      }),
    );
    // Both answers occur, so the comparison could have failed either way.
    expect(verdicts.filter(v => v).length).toBeGreaterThan(10);
    expect(verdicts.filter(v => !v).length).toBeGreaterThan(10);
  });
});
