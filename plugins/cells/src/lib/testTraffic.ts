import type { RolloutResponse, TrafficResponse } from '../api/types';

const WINDOW = { from: '2026-11-29T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' };

/**
 * Observed calls over the test topology, one of each class: capcom's declared
 * call seen, flight-director's grant unused, comms-system calling capcom
 * undeclared, and a pod the catalog does not know in houston denied.
 */
export function testTraffic(): TrafficResponse {
  return {
    environment: 'dev',
    window: WINDOW,
    sources: ['prometheus http://prometheus:9090'],
    edges: [
      { from: 'component:default/capcom', to: 'component:default/comms-system', protocol: 'HTTP', count: 930, lastSeen: WINDOW.to, class: 'declared-seen' },
      { from: 'component:default/flight-director', to: 'component:default/comms-system', port: 8080, protocol: 'TCP', count: 0, class: 'declared-unused' },
      {
        from: 'component:default/comms-system',
        to: 'component:default/capcom',
        protocol: 'HTTP',
        method: 'GET',
        path: '/loop',
        count: 411,
        lastSeen: WINDOW.to,
        class: 'undeclared-allowed',
      },
      {
        from: 'workload:houston/debug-shell',
        to: 'component:default/flight-director',
        port: 8080,
        protocol: 'TCP',
        count: 4,
        class: 'denied',
        suspicious: true,
        reasons: ['POLICY_DENIED'],
      },
    ],
    counts: { 'declared-seen': 1, 'declared-unused': 1, 'undeclared-allowed': 1, denied: 1 },
  };
}

/** What enforcing would break over the same window: comms-system's undeclared call, at capcom's L7 policy. */
export function testRollout(): RolloutResponse {
  return {
    environment: 'dev',
    window: WINDOW,
    sources: ['prometheus http://prometheus:9090'],
    cells: [
      {
        entityRef: 'system:default/houston',
        enforcement: 'audit',
        wouldBreak: [
          {
            from: 'component:default/comms-system',
            to: 'component:default/capcom',
            protocol: 'HTTP',
            count: 411,
            lastSeen: WINDOW.to,
            endpoint: 'api',
            layer: 'L7',
            policy: 'houston/capcom',
            reason: 'no ALLOW rule of houston/capcom admits the caller (RBAC: access denied)',
          },
        ],
        unjudged: [],
      },
      { entityRef: 'system:default/orion', enforcement: 'enforce', wouldBreak: [], unjudged: [] },
    ],
  };
}
