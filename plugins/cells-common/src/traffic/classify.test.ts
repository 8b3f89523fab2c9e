import { EdgeAggregator, WindowedAggregator } from './aggregate';
import { classifyTraffic } from './classify';
import { ClassifiedEdge, Observation, TrafficPeer } from './types';
import { component, ENV, HOUR, model, ns, obs, settings, T0 } from './testFixtures';

const rogue: TrafficPeer = {
  kind: 'workload',
  namespace: ns('houston'),
  pod: 'debug-shell',
  identity: `cluster.local/ns/${ns('houston')}/sa/default`,
  cell: 'system:default/houston',
};
const window = { from: T0 - 24 * HOUR, to: T0 + HOUR };

function classify(observations: Observation[], before: Observation[] = []) {
  const agg = new WindowedAggregator(window);
  [...observations, ...before].forEach(o => agg.add(o));
  return classifyTraffic(model, settings, { environment: ENV, window, edges: agg.inWindow.edges(), before: agg.before.edges() });
}

function only(observation: Observation): ClassifiedEdge {
  const edges = classify([observation]).edges.filter(e => e.class !== 'declared-unused');
  expect(edges).toHaveLength(1);
  return edges[0];
}

describe('classifyTraffic: the truth table', () => {
  const denied = { allowed: false, code: 403, reason: 'HTTP 403' };
  // [case, observation, class, declared, suspicious]
  const table: [string, Observation, ClassifiedEdge['class'], boolean, boolean][] = [
    ['a declared call, allowed', obs(component('capcom'), component('comms-system'), { method: 'POST', path: '/uplink/voice' }), 'declared-seen', true, false],
    [
      'a declared call, denied (the policies are narrower than the catalog)',
      obs(component('capcom'), component('comms-system'), { method: 'POST', path: '/uplink', verdict: denied }),
      'denied',
      true,
      false,
    ],
    [
      'another method than declared, allowed',
      obs(component('capcom'), component('comms-system'), { method: 'DELETE', path: '/uplink' }),
      'undeclared-allowed',
      false,
      false,
    ],
    [
      'another path than declared, allowed',
      obs(component('capcom'), component('comms-system'), { method: 'POST', path: '/downlink' }),
      'undeclared-allowed',
      false,
      false,
    ],
    [
      'an undeclared call in one cell, allowed',
      obs(component('pad-operations'), component('launch-control'), { method: 'GET', path: '/countdown/status' }),
      'undeclared-allowed',
      false,
      false,
    ],
    [
      'an undeclared call between components, denied (not suspicious: a known identity)',
      obs(component('pad-operations'), component('launch-control'), { verdict: denied }),
      'denied',
      false,
      false,
    ],
    [
      'an unknown workload, denied',
      obs(rogue, component('flight-director'), { method: 'POST', path: '/decision/abort', verdict: denied }),
      'denied',
      false,
      true,
    ],
    ['an unknown workload, allowed', obs(rogue, component('flight-director'), { method: 'GET', path: '/' }), 'undeclared-allowed', false, false],
    ['an external address, denied', obs({ kind: 'external', ip: '203.0.113.7' }, component('flight-director'), { verdict: denied }), 'denied', false, true],
    [
      'the gateway to a public endpoint',
      obs({ kind: 'gateway' }, component('flight-director'), { method: 'GET', path: '/dashboard' }),
      'declared-seen',
      true,
      false,
    ],
    [
      'the gateway to an endpoint that is not public',
      obs({ kind: 'gateway' }, component('capcom'), { method: 'GET', path: '/' }),
      'undeclared-allowed',
      false,
      false,
    ],
    [
      'a connection without L7 on a declared endpoint',
      obs(component('capcom'), component('comms-system'), { protocol: 'TCP', seenBy: 'cilium' }),
      'declared-seen',
      true,
      false,
    ],
    [
      'a connection on a port the callee does not serve',
      obs(component('capcom'), component('comms-system'), { port: 9090, protocol: 'TCP' }),
      'undeclared-allowed',
      false,
      false,
    ],
    [
      'L7 without port or operation (Istio metrics)',
      obs(component('capcom'), component('comms-system'), { port: undefined, seenBy: 'waypoint' }),
      'declared-seen',
      true,
      false,
    ],
    [
      'HBONE to a cell the caller has grants into',
      obs(component('capcom'), { kind: 'cell', ref: 'system:default/orion' }, { port: undefined, protocol: 'HBONE' }),
      'declared-seen',
      true,
      false,
    ],
    [
      'HBONE to a cell the caller has no grant into',
      obs(component('pad-operations'), { kind: 'cell', ref: 'system:default/orion' }, { port: undefined, protocol: 'HBONE' }),
      'undeclared-allowed',
      false,
      false,
    ],
    ['DNS (the platform baseline)', obs(component('capcom'), { kind: 'platform', name: 'dns' }, { port: 53, protocol: 'UDP' }), 'declared-seen', true, false],
    [
      'a kubelet probe on an endpoint port (the platform baseline)',
      obs({ kind: 'platform', name: 'node' }, component('capcom'), { protocol: 'TCP', seenBy: 'cilium' }),
      'declared-seen',
      true,
      false,
    ],
    [
      'the node on another port',
      obs({ kind: 'platform', name: 'node' }, component('capcom'), { port: 22, protocol: 'TCP', seenBy: 'cilium' }),
      'undeclared-allowed',
      false,
      false,
    ],
    [
      'an external host (no egress is declared)',
      obs(component('weather-station'), { kind: 'external', host: 'api.weather.gov' }, { port: 443, protocol: 'TCP' }),
      'undeclared-allowed',
      false,
      false,
    ],
  ];

  it.each(table)('%s', (_, observation, cls, declared, suspicious) => {
    const edge = only(observation);
    expect({ class: edge.class, declared: edge.declared, suspicious: edge.suspicious }).toEqual({ class: cls, declared, suspicious });
  });

  it('names the grants that cover a call, merging a connection and an allowFrom that declare the same', () => {
    const edge = only(obs(component('goldstone'), component('comms-system'), { method: 'POST', path: '/downlink' }));
    expect(edge.grants).toEqual([
      {
        endpoint: 'http',
        methods: ['POST'],
        paths: ['/downlink'],
        declaredBy: expect.arrayContaining([expect.stringContaining('component:default/goldstone'), expect.stringContaining('component:default/comms-system')]),
      },
    ]);
    expect(edge.grants[0].declaredBy).toHaveLength(2);
    expect(edge).toMatchObject({ endpoint: 'http', port: 8080, from: 'component:default/goldstone', to: 'component:default/comms-system' });
  });
});

describe('classifyTraffic: unused grants', () => {
  const seen = [
    obs(component('capcom'), component('comms-system'), { method: 'POST', path: '/uplink' }),
    obs(component('madrid'), component('telemetry-monitor'), { method: 'POST', path: '/ingest' }),
  ];

  it('lists every grant of the environment no allowed call used, once per declared call', () => {
    const result = classify(seen);
    const unused = result.edges.filter(e => e.class === 'declared-unused');
    const shapes = new Set(
      model.grants.map(g => `${g.caller.kind === 'gateway' ? 'gateway' : g.caller.ref}|${g.callee}|${g.endpoint}|${g.methods}|${g.paths}`),
    );
    expect(unused).toHaveLength(shapes.size - 2);
    expect(unused.find(e => e.from === 'component:default/capcom' && e.to === 'component:default/comms-system')).toBeUndefined();
    expect(unused.find(e => e.from === 'component:default/mission-relay' && e.to === 'component:default/service-module-monitor')).toMatchObject({
      port: 8080,
      protocol: 'HTTP',
      method: 'GET',
      path: '/propulsion/status',
      count: 0,
      declared: true,
      endpoint: 'http',
    });
    expect(result.counts).toEqual({ 'declared-seen': 2, 'declared-unused': unused.length, 'undeclared-allowed': 0, denied: 0 });
  });

  it('says when an unused grant was last used before the window, and not for a denied call', () => {
    const earlier = obs(component('mission-relay'), component('service-module-monitor'), {
      method: 'GET',
      path: '/propulsion/status',
      firstSeen: T0 - 30 * HOUR,
      lastSeen: T0 - 26 * HOUR,
    });
    const deniedEarlier = obs(component('flight-director'), component('weather-station'), {
      method: 'GET',
      path: '/conditions',
      firstSeen: T0 - 30 * HOUR,
      lastSeen: T0 - 25 * HOUR,
      verdict: { allowed: false },
    });
    const unused = classify(seen, [earlier, deniedEarlier]).edges.filter(e => e.class === 'declared-unused');
    expect(unused.find(e => e.to === 'component:default/service-module-monitor' && e.from === 'component:default/mission-relay')?.lastSeen).toBe(
      T0 - 26 * HOUR,
    );
    expect(unused.find(e => e.to === 'component:default/weather-station' && e.from === 'component:default/flight-director')?.lastSeen).toBeUndefined();
  });

  it('does not call a grant unused when a denied call is all that was seen, nor when only its cell was seen', () => {
    const deniedOnly = classify([
      obs(component('crew-interface'), component('life-support'), { method: 'GET', path: '/crew/vitals', verdict: { allowed: false } }),
    ]);
    expect(
      deniedOnly.edges
        .filter(e => e.to === 'component:default/life-support')
        .map(e => e.class)
        .sort(),
    ).toEqual(['declared-unused', 'denied']);
    const cellOnly = classify([obs(component('crew-interface'), { kind: 'cell', ref: 'system:default/orion' }, { port: undefined, protocol: 'HBONE' })]);
    expect(cellOnly.edges.filter(e => e.from === 'component:default/crew-interface' && e.class === 'declared-unused').map(e => e.to)).toEqual([
      'component:default/signal-router',
    ]);
  });

  it('keeps environments apart and ignores observations after the window', () => {
    const other = obs(component('pad-operations'), component('launch-control'), { environment: 'staging' });
    const later = obs(component('pad-operations'), component('launch-control'), { firstSeen: window.to + 1, lastSeen: window.to + 2 });
    expect(classify([other, later]).counts['undeclared-allowed']).toBe(0);
  });
});

describe('EdgeAggregator', () => {
  it('sums counts, spans first and last seen, and keeps verdicts apart', () => {
    const agg = new EdgeAggregator();
    agg.add(obs(component('capcom'), component('comms-system'), { method: 'POST', path: '/uplink', count: 3, firstSeen: T0, lastSeen: T0 + 5 }));
    agg.add(
      obs(component('capcom'), component('comms-system'), {
        method: 'POST',
        path: '/uplink',
        count: 2,
        firstSeen: T0 - 5,
        lastSeen: T0 + 1,
        verdict: { allowed: true, code: 202 },
      }),
    );
    agg.add(obs(component('capcom'), component('comms-system'), { method: 'POST', path: '/uplink', verdict: { allowed: false, code: 403, reason: 'x' } }));
    const edges = agg.edges();
    expect(edges.map(e => [e.allowed, e.count, e.firstSeen, e.lastSeen, e.codes, e.reasons])).toEqual([
      [true, 5, T0 - 5, T0 + 5, [202], []],
      [false, 1, T0, T0, [403], ['x']],
    ]);
  });
});
