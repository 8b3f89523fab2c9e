import { calleeEndpoint, createSimulation, simulateRequest, SimulatedCaller } from '../verify';
import { sufficientToken } from '../verify/frontDoor';
import { aggregateObservations } from './aggregate';
import { brokenByChange, wouldBreak } from './wouldBreak';
import { TrafficEdge, TrafficPeer } from './types';
import { component, ENV, model, ns, obs, settings } from './testFixtures';

const rogue: TrafficPeer = {
  kind: 'workload',
  namespace: ns('houston'),
  pod: 'debug-shell',
  identity: `cluster.local/ns/${ns('houston')}/sa/default`,
  labels: { run: 'debug-shell' },
  cell: 'system:default/houston',
};
const impostor: TrafficPeer = {
  kind: 'workload',
  namespace: ns('houston'),
  pod: 'fd-copy',
  identity: `cluster.local/ns/${ns('houston')}/sa/default`,
  labels: { [settings.podLabelKey]: 'flight-director' },
  cell: 'system:default/houston',
};

const observed = aggregateObservations([
  obs(component('capcom'), component('comms-system'), { method: 'POST', path: '/uplink' }),
  obs(component('capcom'), component('comms-system'), { method: 'DELETE', path: '/uplink' }),
  obs(component('pad-operations'), component('launch-control'), { method: 'GET', path: '/countdown/status' }),
  obs(component('flight-director'), component('flight-dynamics'), { method: 'GET', path: '/trajectory/artemis-2' }),
  obs(component('launch-control'), component('weather-station'), { method: 'GET', path: '/launch-criteria' }),
  obs({ kind: 'gateway' }, component('flight-director'), { method: 'GET', path: '/dashboard' }),
  obs(component('telemetry-monitor'), component('guidance-nav'), { method: 'GET', path: '/nav/state' }),
  obs(rogue, component('flight-director'), { method: 'POST', path: '/decision/abort' }),
  obs(impostor, component('flight-dynamics'), { method: 'GET', path: '/trajectory' }),
  // Seen without L7 (Istio metrics, ztunnel): no port, no method.
  obs(component('capcom'), component('comms-system'), { port: undefined, seenBy: 'waypoint' }),
  obs(component('comms-system'), component('signal-router'), { port: undefined, seenBy: 'waypoint' }),
  obs(component('pad-operations'), component('launch-control'), { port: undefined, protocol: 'TCP', seenBy: 'ztunnel' }),
  obs(component('capcom'), { kind: 'cell', ref: 'system:default/orion' }, { port: undefined, protocol: 'HBONE', seenBy: 'cilium' }),
  obs(component('weather-station'), { kind: 'external', host: 'api.weather.gov' }, { port: 443, protocol: 'TCP' }),
  // Already denied: not judged again.
  obs(rogue, component('capcom'), { method: 'GET', path: '/', verdict: { allowed: false, code: 403 } }),
]);

function callerOf(edge: TrafficEdge): SimulatedCaller | undefined {
  if (edge.source.kind === 'component') return { component: edge.source.ref };
  if (edge.source.kind === 'gateway') return { gateway: true };
  return undefined;
}

describe('wouldBreak', () => {
  const sim = createSimulation(model, settings, ENV);
  const report = wouldBreak(sim, observed);
  const label = (e: TrafficEdge) => `${e.from} -> ${e.to} ${e.method ?? ''} ${e.path ?? ''}`.trim();

  it('lists the observed calls the enforce-mode manifests deny, and only those', () => {
    expect(report.checked).toBe(14);
    expect(report.wouldBreak.map(w => label(w.edge))).toEqual([
      'component:default/capcom -> component:default/comms-system DELETE /uplink',
      'component:default/pad-operations -> component:default/launch-control',
      'component:default/pad-operations -> component:default/launch-control GET /countdown/status',
      'component:default/telemetry-monitor -> component:default/guidance-nav GET /nav/state',
      `workload:${ns('houston')}/debug-shell -> component:default/flight-director POST /decision/abort`,
      `workload:${ns('houston')}/fd-copy -> component:default/flight-dynamics GET /trajectory`,
    ]);
    for (const w of report.wouldBreak) {
      expect(w.endpoint).toBe('http');
      expect(w.policies.length + w.reason.length).toBeGreaterThan(0);
    }
    expect(report.wouldBreak.find(w => w.edge.method === 'DELETE')).toMatchObject({ layer: 'L7' });
  });

  it('says which calls it cannot judge, and why', () => {
    expect(report.unjudged.map(u => [label(u.edge), u.reason])).toEqual([
      ['component:default/capcom -> component:default/comms-system', expect.stringContaining('only for some methods and paths')],
      ['component:default/capcom -> system:default/orion', expect.stringContaining('waypoint (HBONE)')],
      ['component:default/weather-station -> external:api.weather.gov', expect.stringContaining('outside the catalog components')],
    ]);
  });

  it('agrees with `cellplane simulate` request by request', () => {
    // Per request: simulate's verdict, and for a denial its deciding layer, policies and reason.
    const fromSimulate: unknown[] = [];
    const fromWouldBreak: unknown[] = [];
    const broken = new Map(report.wouldBreak.map(w => [w.edge, w]));
    for (const edge of observed.filter(e => e.allowed && e.method && e.destination.kind === 'component')) {
      const from = callerOf(edge);
      if (!from || edge.destination.kind !== 'component') continue;
      // As wouldBreak takes it: a call through the gateway carries the token the front door requires.
      const token = 'gateway' in from ? sufficientToken(sim, calleeEndpoint(sim, edge.destination.ref).endpoint) : undefined;
      const result = simulateRequest(sim, { from, to: edge.destination.ref, method: edge.method, path: edge.path, ...(token ? { token } : {}) });
      const layer = result.layers.find(l => l.layer === result.decidedBy);
      fromSimulate.push({
        edge: label(edge),
        allowed: result.allowed,
        ...(layer ? { layer: layer.layer, policies: layer.policies, reason: layer.reason } : {}),
      });
      const w = broken.get(edge);
      fromWouldBreak.push({ edge: label(edge), allowed: !w, ...(w ? { layer: w.layer, policies: w.policies, reason: w.reason } : {}) });
    }
    expect(fromWouldBreak).toEqual(fromSimulate);
    const compared = fromSimulate.length;
    expect(compared).toBe(7);
  });

  it('judges an unknown pod with the labels it wore: an impostor of a component is still denied', () => {
    const w = report.wouldBreak.find(x => x.edge.from.endsWith('/fd-copy'))!;
    expect(w.layer).not.toBe('L3/L4');
  });
});

describe('brokenByChange', () => {
  it('lists the observed calls a change breaks, not those denied before it', () => {
    const withoutUplink = {
      ...model,
      grants: model.grants.filter(
        g => !(g.caller.kind === 'component' && g.caller.ref === 'component:default/capcom' && g.callee === 'component:default/comms-system'),
      ),
    };
    const report = brokenByChange(createSimulation(model, settings, ENV), createSimulation(withoutUplink, settings, ENV), observed);
    // The call seen without L7 could not be judged before (its operation was not visible); with no
    // operation of capcom's left on comms-system, it breaks whatever it was.
    expect(report.wouldBreak.map(w => [w.edge.from, w.edge.to, w.edge.method, w.edge.path])).toEqual([
      ['component:default/capcom', 'component:default/comms-system', undefined, undefined],
      ['component:default/capcom', 'component:default/comms-system', 'POST', '/uplink'],
    ]);
    expect(report.alreadyDenied).toBe(6);
    // What could not be judged before the change either is not its news.
    expect(report.unjudged).toEqual([]);
    expect(report.noLongerBroken).toEqual([]);
  });

  it('lists the denied calls a change lets through, and not those it leaves unjudged', () => {
    const withoutUplink = {
      ...model,
      grants: model.grants.filter(
        g => !(g.caller.kind === 'component' && g.caller.ref === 'component:default/capcom' && g.callee === 'component:default/comms-system'),
      ),
    };
    // The grant given back: the call with its operation seen is allowed again; the one seen without it cannot be judged.
    const report = brokenByChange(createSimulation(withoutUplink, settings, ENV), createSimulation(model, settings, ENV), observed);
    expect(report.noLongerBroken.map(w => [w.edge.from, w.edge.to, w.edge.method, w.edge.path])).toEqual([
      ['component:default/capcom', 'component:default/comms-system', 'POST', '/uplink'],
    ]);
    expect(report.wouldBreak).toEqual([]);
  });
});
