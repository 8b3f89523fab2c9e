import { loadCluster } from './load';
import { AnalyzerInputError, analyzeRequest } from './request';
import {
  ambientNamespace,
  analyze,
  authorizationPolicy,
  deployment,
  gateway,
  layer,
  namespace,
  networkPolicy,
  peerAuthentication,
  pod,
  service,
  waypoint,
} from './testFixtures';

const principal = (ns: string, sa: string) => `cluster.local/ns/${ns}/sa/${sa}`;
const gatewayPodLabels = { 'gateway.networking.k8s.io/gateway-name': 'public' };

/** houston with a waypoint, an L7 policy on flight-director, and an external gateway in namespace edge. */
const houston = [
  ambientNamespace('houston', { 'istio.io/use-waypoint': 'waypoint' }),
  namespace('edge'),
  waypoint('houston/waypoint'),
  gateway('edge/public', 'istio'),
  pod('edge/public-gw', { labels: gatewayPodLabels, serviceAccount: 'public-istio' }),
  deployment('houston/flight-director'),
  deployment('houston/capcom'),
  deployment('houston/rogue'),
  service('houston/flight-director', { app: 'flight-director' }),
  peerAuthentication('houston/strict', { mtls: { mode: 'STRICT' } }),
  authorizationPolicy('houston/flight-director', {
    targetRefs: [{ kind: 'Service', group: '', name: 'flight-director' }],
    rules: [
      { from: [{ source: { principals: [principal('edge', 'public-istio')] } }], to: [{ operation: { methods: ['GET'] } }] },
      { from: [{ source: { principals: [principal('houston', 'capcom')] } }], to: [{ operation: { methods: ['POST'], paths: ['/decision/go-nogo'] } }] },
    ],
  }),
];

describe('the answer', () => {
  it('has exactly three layers in order, decidedBy null when allowed', () => {
    const r = analyze(houston, { from: 'houston/capcom', to: 'houston/flight-director', port: 8080, method: 'POST', path: '/decision/go-nogo' });
    expect(r.allowed).toBe(true);
    expect(r.decidedBy).toBeNull();
    expect(r.layers.map(l => l.layer)).toEqual(['L3/L4', 'mTLS', 'L7']);
    expect(r.layers.map(l => l.verdict)).toEqual(['allow', 'allow', 'allow']);
    expect(r.explanation).toMatch(
      /^allowed: houston\/capcom -> houston\/flight-director on port 8080\/TCP through Service houston\/flight-director via waypoint houston\/waypoint/,
    );
  });
  it('decidedBy is the first denying layer', () => {
    const denyAll = networkPolicy('houston/deny', { podSelector: {}, policyTypes: ['Ingress'] });
    const r = analyze([...houston, denyAll], { from: 'houston/rogue', to: 'houston/flight-director', port: 8080, method: 'POST', path: '/decision/abort' });
    expect(r.decidedBy).toBe('L3/L4');
    expect(layer(r, 'L7').verdict).toBe('deny');
  });
  it('ABORT from the rogue pod in houston is denied at L7 with the admitted principals and the caller identity', () => {
    const r = analyze(houston, { from: 'houston/rogue', to: 'houston/flight-director', port: 8080, method: 'POST', path: '/decision/abort' });
    expect(r).toMatchObject({ allowed: false, decidedBy: 'L7' });
    expect(layer(r, 'L7').policies).toEqual(['houston/flight-director']);
    expect(r.explanation).toContain(principal('houston', 'capcom'));
    expect(r.explanation).toContain(`the caller is ${principal('houston', 'rogue')} (POST /decision/abort)`);
  });
  it('a Service can be the target, by its port; service: forces the Service reading', () => {
    const svc = service('houston/fd', { app: 'flight-director' }, { ports: [{ name: 'web', port: 80, targetPort: 'http' }] });
    const r = analyze([...houston, svc], { from: 'houston/capcom', to: 'service:houston/fd', port: 80, method: 'POST', path: '/decision/go-nogo' });
    expect(r.hops[0].appPort).toBe(8080);
    // the route is through Service fd, which is not the target of the L7 policy: no ALLOW applies there
    expect(r.allowed).toBe(true);
    expect(analyze([...houston, svc], { from: 'houston/capcom', to: 'houston/fd', port: 'web' }).hops[1].appPort).toBe(8080);
  });
  it('a Service without backends answers nothing (denied at L3/L4)', () => {
    const empty = service('houston/ghost', { app: 'ghost' });
    const r = analyze([...houston, empty], { from: 'houston/capcom', to: 'houston/ghost', port: 8080 });
    expect(r).toMatchObject({ allowed: false, decidedBy: 'L3/L4' });
    expect(r.layers).toHaveLength(3);
  });
  it.each([
    [{ from: 'houston/nobody', to: 'houston/capcom', port: 8080 }, /--from: unknown workload "houston\/nobody"/],
    [{ from: 'houston/capcom', to: 'orion/x', port: 8080 }, /--to: unknown workload or Service "orion\/x"/],
    [{ from: 'houston/capcom', to: 'houston/flight-director', port: 'grpc' }, /no TCP container port named "grpc"/],
    [{ from: 'houston/capcom', to: 'houston/flight-director', port: 70000 }, /--port: 70000/],
  ])('bad request %j is an input error naming what', (request, message) => {
    expect(() => analyzeRequest(loadCluster(houston), request as never)).toThrow(message);
  });
  it('a model with problems refuses to answer (fail closed)', () => {
    const model = loadCluster([...houston, networkPolicy('houston/bad', { podSelector: {}, ingress: [{ ports: [{ port: 'HTTP!' }] }] })]);
    expect(() => analyzeRequest(model, { from: 'houston/capcom', to: 'houston/flight-director', port: 8080 })).toThrow(AnalyzerInputError);
    expect(() => analyzeRequest(model, { from: 'houston/capcom', to: 'houston/flight-director', port: 8080 })).toThrow(
      /NetworkPolicy houston\/bad: spec\.ingress\[0\]\.ports\[0\]\.port/,
    );
  });
});

// One describe per rule of docs/policy-semantics.md, named by its anchor (netpol-1 is #netpol-1).
describe('ambient-6: the waypoint path and the L3/L4 rules that keep it possible', () => {
  const wpLabels = { 'gateway.networking.k8s.io/gateway-name': 'waypoint' };
  const denyAll = networkPolicy('houston/default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  const callerToWaypoint = networkPolicy('houston/egress-to-waypoint', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: wpLabels } }], ports: [{ port: 15008 }] }],
  });
  const waypointIngress = networkPolicy('houston/waypoint-ingress', {
    podSelector: { matchLabels: wpLabels },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'capcom' } } }], ports: [{ port: 15008 }] }],
  });
  const waypointEgress = networkPolicy('houston/waypoint-egress', {
    podSelector: { matchLabels: wpLabels },
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: {} }], ports: [{ port: 15008 }] }],
  });
  const destFromWaypoint = networkPolicy('houston/fd-from-waypoint', {
    podSelector: { matchLabels: { app: 'flight-director' } },
    ingress: [{ from: [{ podSelector: { matchLabels: wpLabels } }], ports: [{ port: 15008 }] }],
  });
  const all = [denyAll, callerToWaypoint, waypointIngress, waypointEgress, destFromWaypoint];
  const call = (policies: object[], from = 'houston/capcom') =>
    analyze([...houston, ...(policies as never[])], { from, to: 'houston/flight-director', port: 8080, method: 'POST', path: '/decision/go-nogo' });

  it('with all four rules the call goes caller -> waypoint -> destination, both hops on 15008', () => {
    const r = call(all);
    expect(r.allowed).toBe(true);
    expect(r.hops.map(h => [h.from, h.to, h.port])).toEqual([
      ['houston/capcom', 'houston/waypoint', 15008],
      ['houston/waypoint', 'houston/flight-director', 15008],
    ]);
  });
  it.each([
    ['caller egress to the waypoint', callerToWaypoint, 'caller -> waypoint'],
    ['waypoint ingress from the caller', waypointIngress, 'caller -> waypoint'],
    ['waypoint egress to the destination', waypointEgress, 'waypoint houston/waypoint -> destination'],
    ['destination ingress from its waypoint', destFromWaypoint, 'waypoint houston/waypoint -> destination'],
  ])('without %s it is denied at L3/L4 on that hop', (_name, missing, hop) => {
    const r = call(all.filter(p => p !== missing));
    expect(r).toMatchObject({ allowed: false, decidedBy: 'L3/L4' });
    expect(layer(r, 'L3/L4').reason).toContain(hop);
  });
  it('the waypoint admits only the peers it lists (rogue denied at L3/L4 before L7)', () => {
    expect(call(all, 'houston/rogue').decidedBy).toBe('L3/L4');
  });
  it('a plaintext caller is not redirected to the waypoint and meets STRICT at the destination', () => {
    const legacy = pod('edge/legacy');
    const r = analyze([...houston, legacy], { from: 'edge/legacy', to: 'houston/flight-director', port: 8080, method: 'GET', path: '/' });
    expect(r.hops).toHaveLength(1);
    expect(r.decidedBy).toBe('mTLS');
  });
});

describe('authz-11: ingress gateways skip the waypoint unless istio.io/ingress-use-waypoint is "true"', () => {
  it('without the label the gateway goes straight to the pod: the waypoint L7 policy never sees it', () => {
    const r = analyze(houston, { from: 'edge/public-gw', to: 'houston/flight-director', port: 8080, method: 'DELETE', path: '/everything' });
    expect(r.hops).toHaveLength(1);
    expect(r.allowed).toBe(true);
    expect(r.explanation).toContain('skips waypoint');
  });
  it('with the label on the Service the gateway goes through the waypoint and its policy applies', () => {
    const svc = service('houston/flight-director', { app: 'flight-director' }, { labels: { 'istio.io/ingress-use-waypoint': 'true' } });
    const cluster = [...houston.filter(o => o.kind !== 'Service'), svc];
    expect(analyze(cluster, { from: 'edge/public-gw', to: 'houston/flight-director', port: 8080, method: 'DELETE', path: '/x' })).toMatchObject({
      allowed: false,
      decidedBy: 'L7',
    });
    expect(analyze(cluster, { from: 'edge/public-gw', to: 'houston/flight-director', port: 8080, method: 'GET', path: '/' }).allowed).toBe(true);
  });
  it('with the label on the namespace too', () => {
    const cluster = [ambientNamespace('houston', { 'istio.io/use-waypoint': 'waypoint', 'istio.io/ingress-use-waypoint': 'true' }), ...houston.slice(1)];
    expect(analyze(cluster, { from: 'edge/public-gw', to: 'houston/flight-director', port: 8080, method: 'DELETE', path: '/x' }).decidedBy).toBe('L7');
  });
  it('a meshed non-gateway caller always takes the waypoint', () => {
    expect(analyze(houston, { from: 'houston/rogue', to: 'houston/flight-director', port: 8080, method: 'GET', path: '/' }).hops).toHaveLength(2);
  });
});

describe('gateway-1: the external gateway has its own identity; the callee must allow its principal and its pods', () => {
  const ingressFromGateway = networkPolicy('houston/from-gateway', {
    podSelector: { matchLabels: { app: 'flight-director' } },
    ingress: [
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } }, podSelector: { matchLabels: gatewayPodLabels } }],
        ports: [{ port: 15008 }],
      },
    ],
  });
  const l4Allow = (principals: string[]) =>
    authorizationPolicy('houston/fd-l4', { selector: { matchLabels: { app: 'flight-director' } }, rules: [{ from: [{ source: { principals } }] }] });
  it("the gateway's identity is its namespace and service account", () => {
    const r = analyze([...houston, l4Allow([principal('edge', 'public-istio')])], { from: 'edge/public-gw', to: 'houston/flight-director', port: 8080 });
    expect(r.allowed).toBe(true);
    expect(layer(r, 'mTLS').reason).toContain(principal('edge', 'public-istio'));
  });
  it("an AuthorizationPolicy that does not name the gateway's principal denies north-south traffic", () => {
    const r = analyze([...houston, l4Allow([principal('houston', 'capcom')])], { from: 'edge/public-gw', to: 'houston/flight-director', port: 8080 });
    expect(r.decidedBy).toBe('L7');
  });
  it("a NetworkPolicy must admit the gateway's namespace and pods", () => {
    expect(analyze([...houston, ingressFromGateway], { from: 'edge/public-gw', to: 'houston/flight-director', port: 8080 }).allowed).toBe(true);
    const other = pod('edge/other', { serviceAccount: 'public-istio', labels: { 'gateway.networking.k8s.io/gateway-name': 'public', app: 'x' } });
    expect(analyze([...houston, other, ingressFromGateway], { from: 'edge/other', to: 'houston/flight-director', port: 8080 }).allowed).toBe(true);
    const stranger = pod('edge/stranger', { labels: { app: 'stranger' } });
    expect(analyze([...houston, stranger, ingressFromGateway], { from: 'edge/stranger', to: 'houston/flight-director', port: 8080 }).decidedBy).toBe('L3/L4');
  });
  it('the gateway class is a setting: a non-Istio gateway outside ambient speaks plaintext and meets STRICT', () => {
    const cluster = [...houston.filter(o => !(o.kind === 'Gateway' && (o.metadata as { name: string }).name === 'public')), gateway('edge/public', 'cilium')];
    expect(analyze(cluster, { from: 'edge/public-gw', to: 'houston/flight-director', port: 8080 }).decidedBy).toBe('mTLS');
  });
});
