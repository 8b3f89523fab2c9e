import { analyzeConnlist, ConnlistResult, formatGrant, portClasses } from './connlist';
import { loadCluster } from './load';
import { analyzeMatrix } from './matrix';
import { analyzeRequest } from './request';
import { ambientNamespace, authorizationPolicy, namespace, networkPolicy, pod, service, waypoint } from './testFixtures';
import { randomCluster } from './testRandomCluster';
import { seededRandom } from '../testing/random';
import { Protocol } from './model';

/** `from -> to: grants` lines, the way the CLI prints them. */
const lines = (result: ConnlistResult) => result.connections.map(c => `${c.from} -> ${c.to}: ${c.allowed.map(formatGrant).join('; ')}`);

describe('analyzeConnlist', () => {
  // Outside the mesh: plain NetworkPolicies on app ports.
  const legacy = [
    namespace('legacy'),
    pod('legacy/client', { ports: [] }),
    pod('legacy/server', {
      ports: [
        { name: 'http', containerPort: 8080 },
        { name: 'dns', containerPort: 53, protocol: 'UDP' },
      ],
    }),
    pod('legacy/other', { ports: [] }),
    networkPolicy('legacy/server-in', {
      podSelector: { matchLabels: { app: 'server' } },
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: 'client' } } }],
          ports: [{ port: 'http' }, { protocol: 'UDP', port: 53 }, { port: 9000, endPort: 9100 }],
        },
      ],
    }),
    // The client may only send TCP (any port): its UDP to the server's port 53 stays denied.
    networkPolicy('legacy/client-out', {
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'TCP' }] }],
    }),
  ];

  it('lists every connected pair with its ports per protocol (truth table)', () => {
    expect(lines(analyzeConnlist(loadCluster(legacy)))).toEqual([
      'legacy/client -> legacy/other: TCP all ports',
      'legacy/client -> legacy/server: TCP 8080,9000-9100',
      'legacy/other -> legacy/client: TCP all ports; UDP all ports; SCTP all ports',
      'legacy/server -> legacy/client: TCP all ports; UDP all ports; SCTP all ports',
      'legacy/server -> legacy/other: TCP all ports; UDP all ports; SCTP all ports',
    ]);
  });

  it('partitions ports into classes every policy treats alike', () => {
    const classes = portClasses(loadCluster(legacy)).map(c => `${c.protocol} ${c.ranges.map(([a, b]) => (a === b ? a : `${a}-${b}`)).join(',')}`);
    // 53/UDP and 8080 (container ports, policy ports), the 9000-9100 range, HBONE's 15008; the rest is one class.
    expect(classes).toEqual([
      'TCP 1-8079,8081-8999,9101-15007,15009-65535',
      'TCP 8080',
      'TCP 9000-9100',
      'TCP 15008',
      'UDP 1-52,54-65535',
      'UDP 53',
      'SCTP 1-65535',
    ]);
  });

  it('--json shape: ports as text and ranges; operations only where a waypoint decides', () => {
    const result = analyzeConnlist(loadCluster(legacy));
    expect(result.pairs).toBe(6);
    expect(result.connections[1]).toEqual({
      from: 'legacy/client',
      to: 'legacy/server',
      allowed: [
        {
          protocol: 'TCP',
          ports: '8080,9000-9100',
          ranges: [
            [8080, 8080],
            [9000, 9100],
          ],
        },
      ],
    });
  });

  // In the mesh: the waypoint's L7 policy decides the Service's port.
  const mesh = [
    ambientNamespace('shop', { 'istio.io/use-waypoint': 'waypoint' }),
    waypoint('shop/waypoint'),
    pod('shop/web', { serviceAccount: 'web' }),
    pod('shop/api', { serviceAccount: 'api' }),
    service('shop/api', { app: 'api' }),
    networkPolicy('shop/api-in', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } } }], ports: [{ port: 15008 }] }],
    }),
    authorizationPolicy('shop/api', {
      targetRefs: [{ kind: 'Service', group: '', name: 'api' }],
      rules: [
        {
          from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }],
          to: [{ operation: { methods: ['GET', 'POST'], paths: ['/v1/*', '/health'] } }],
        },
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { methods: ['DELETE'], paths: ['/v1/*'] } }] },
      ],
    }),
    authorizationPolicy('shop/no-delete', {
      targetRefs: [{ kind: 'Service', group: '', name: 'api' }],
      action: 'DENY',
      rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }],
    }),
  ];

  it('where a waypoint decides, lists the HTTP operations its rules admit, checked by sample requests', () => {
    const result = analyzeConnlist(loadCluster(mesh));
    const webToApi = result.connections.find(c => c.from === 'shop/web' && c.to === 'shop/api')!;
    // Other ports have no Service, so no waypoint: the pod itself admits HBONE only from the waypoint.
    expect(webToApi.allowed).toEqual([
      {
        protocol: 'TCP',
        ports: '8080',
        ranges: [[8080, 8080]],
        // The DELETE rule is listed nowhere: the DENY policy stops its sample.
        operations: [{ methods: ['GET', 'POST'], paths: ['/v1/*', '/health'] }],
        except: ['shop/no-delete'],
      },
    ]);
    expect(formatGrant(webToApi.allowed[0])).toBe('TCP 8080 only GET,POST /v1/*,/health, unless shop/no-delete denies it');
    expect(analyzeRequest(loadCluster(mesh), { from: 'shop/web', to: 'shop/api', port: 8080, method: 'POST', path: '/v1/orders' }).allowed).toBe(true);
    // The api's own calls to web are not restricted.
    expect(lines(result)).toContain('shop/api -> shop/web: TCP all ports; UDP all ports; SCTP all ports');
    expect(result.connections.find(c => c.from === 'shop/api' && c.to === 'shop/api')).toBeUndefined();
  });

  it('agrees with the single-port matrix on every port class of random clusters (any port of a class, any pair)', () => {
    const random = seededRandom(7);
    let checked = 0;
    let connected = 0;
    let withOperations = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const model = loadCluster(randomCluster(seed));
      expect(model.problems).toEqual([]);
      const result = analyzeConnlist(model);
      const byPair = new Map(result.connections.map(c => [`${c.from}>${c.to}`, c]));
      const listed = (from: string, to: string, protocol: Protocol, port: number, operations: boolean) =>
        (byPair.get(`${from}>${to}`)?.allowed ?? []).some(
          g => g.protocol === protocol && !!g.operations === operations && g.ranges.some(([a, b]) => a <= port && port <= b),
        );
      for (const cls of result.portClasses) {
        // Each class's representative, both ends of each of its ranges, a random port in it, and
        // the ports the generator writes anywhere (a class that wrongly spans one of them shows).
        const ports = new Set([cls.representative, ...cls.ranges.flat()]);
        const [a, b] = cls.ranges[Math.floor(random() * cls.ranges.length)];
        ports.add(a + Math.floor(random() * (b - a + 1)));
        for (const p of [53, 80, 5432, 7000, 8080, 8081, 9000, 9050, 9100, 9101, 15008]) if (cls.ranges.some(([x, y]) => x <= p && p <= y)) ports.add(p);
        for (const port of ports) {
          for (const pair of analyzeMatrix(model, { port, protocol: cls.protocol }).pairs) {
            if (listed(pair.from, pair.to, cls.protocol, port, false) !== pair.allowed) {
              throw new Error(`seed ${seed}, ${cls.protocol} ${port}: ${pair.from} -> ${pair.to}: matrix ${pair.allowed}, connlist disagrees`);
            }
            checked++;
            if (pair.allowed) connected++;
          }
        }
      }
      // Every listed operation is allowed for a request it names, on a port where "any request" is not.
      for (const c of result.connections) {
        for (const g of c.allowed.filter(x => x.operations)) {
          const op = g.operations![0];
          const method = op.methods?.[0] ?? 'GET';
          const path = (op.paths?.[0] ?? '/').replace(/\*$/, 'x');
          const port = g.ranges[0][0];
          const single = analyzeRequest(model, {
            from: c.from,
            to: c.to,
            port,
            protocol: g.protocol,
            method,
            path,
            ...(op.notHosts ? { host: 'cellplane-probe.invalid' } : {}),
          });
          expect(single.allowed).toBe(true);
          expect(analyzeRequest(model, { from: c.from, to: c.to, port, protocol: g.protocol }).allowed).toBe(false);
          withOperations++;
        }
      }
    }
    expect(connected).toBeGreaterThan(checked / 10);
    expect(checked - connected).toBeGreaterThan(checked / 10);
    expect(withOperations).toBeGreaterThan(0);
  });
});
