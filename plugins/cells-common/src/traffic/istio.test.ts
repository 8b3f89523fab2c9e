import { IstioNormalizer, MetricSeries } from './istio';
import { component, index, ns, principal } from './testFixtures';

const STEP = 3_600_000;
const T = Date.parse('2026-11-23T12:00:00Z');

function labels(src: [string, string], dst: [string, string], extra: Record<string, string> = {}): Record<string, string> {
  return {
    reporter: 'waypoint',
    source_principal: principal(src[0], src[1]),
    source_workload: src[1],
    source_workload_namespace: ns(src[0]),
    source_canonical_service: src[1],
    source_app: 'unknown',
    destination_principal: principal(dst[0], dst[1]),
    destination_workload: dst[1],
    destination_workload_namespace: ns(dst[0]),
    destination_service: `${dst[1]}.${ns(dst[0])}.svc.cluster.local`,
    destination_service_name: dst[1],
    destination_service_namespace: ns(dst[0]),
    request_protocol: 'http',
    response_code: '200',
    response_flags: '-',
    connection_security_policy: 'mutual_tls',
    ...extra,
  };
}

function series(l: Record<string, string>, increases: number[]): MetricSeries {
  return { labels: l, points: increases.map((v, i) => [T + i * STEP, v]) };
}

describe('IstioNormalizer', () => {
  it('turns a waypoint series into an L7 observation without port, summed over the window', () => {
    const n = new IstioNormalizer(index, STEP);
    const o = n.requests(series(labels(['houston', 'capcom'], ['orion', 'comms-system']), [0, 12.4, 0, 30.2, 0]));
    expect(o).toEqual({
      environment: 'development',
      source: component('capcom'),
      destination: component('comms-system'),
      protocol: 'HTTP',
      verdict: { allowed: true, code: 200 },
      count: 43,
      firstSeen: T,
      lastSeen: T + 3 * STEP,
      seenBy: 'waypoint',
    });
  });

  it('counts a 403 as denied and says it may be the application', () => {
    const n = new IstioNormalizer(index, STEP);
    const l = labels(['houston', 'default'], ['houston', 'flight-director'], {
      source_workload: 'debug-shell',
      response_code: '403',
      request_protocol: 'grpc',
    });
    const o = n.requests(series(l, [5]))!;
    expect(o.source).toMatchObject({ kind: 'workload', namespace: ns('houston'), pod: 'debug-shell' });
    expect(o.protocol).toBe('GRPC');
    expect(o.verdict).toEqual({ allowed: false, code: 403, reason: 'HTTP 403 at the waypoint: an AuthorizationPolicy, or the application itself' });
  });

  it("takes ztunnel's refused connections out of its opened count", () => {
    const n = new IstioNormalizer(index, STEP);
    const l = labels(['kennedy', 'pad-operations'], ['kennedy', 'launch-control'], { reporter: 'destination', request_protocol: 'tcp' });
    const out = n.connections(series(l, [10, 4]), [series({ ...l, response_flags: 'DENY' }, [3, 0]), series({ ...l, response_flags: 'CONNECT' }, [1, 0])]);
    expect(out.map(o => [o.verdict.allowed, o.count, o.verdict.reason, o.seenBy, o.protocol, o.port])).toEqual([
      [false, 3, 'ztunnel refused the connection (DENY)', 'ztunnel', 'TCP', undefined],
      [true, 11, undefined, 'ztunnel', 'TCP', undefined],
    ]);
  });

  it('skips the waypoint-to-workload leg, series outside every cell and series without calls', () => {
    const n = new IstioNormalizer(index, STEP);
    expect(n.requests(series(labels(['orion', 'waypoint'], ['orion', 'comms-system']), [4]))).toBeUndefined();
    expect(
      n.requests(
        series(
          {
            ...labels(['houston', 'capcom'], ['orion', 'comms-system']),
            source_principal: 'unknown',
            source_workload_namespace: 'monitoring',
            destination_principal: 'unknown',
            destination_workload_namespace: 'monitoring',
          },
          [4],
        ),
      ),
    ).toBeUndefined();
    expect(n.requests(series(labels(['houston', 'capcom'], ['orion', 'comms-system']), [0, 0]))).toBeUndefined();
    expect(n.skipped).toEqual({ 'waypoint leg (the caller is on the other leg)': 1, 'outside every cell': 1, 'no calls in the window': 1 });
  });

  it('names a destination outside the mesh by its service host', () => {
    const n = new IstioNormalizer(index, STEP);
    const l = {
      ...labels(['kennedy', 'weather-station'], ['kennedy', 'x']),
      destination_principal: 'unknown',
      destination_workload: 'unknown',
      destination_workload_namespace: 'unknown',
      destination_service: 'api.weather.gov',
    };
    expect(n.requests(series(l, [2]))?.destination).toEqual({ kind: 'external', host: 'api.weather.gov' });
  });
});
