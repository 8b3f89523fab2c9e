import { analyzeEgress, egressAllowed, EgressRequest } from './egress';
import { ciliumPolicy } from './testFixtures';
import { egressCluster, Obj } from './testEgressCluster';

const cluster = egressCluster;

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
