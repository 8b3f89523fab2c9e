/**
 * Against a real Prometheus (Debian's, installed by tools/install.sh) loaded
 * with the recorded Artemis traffic through promtool: no mock.
 */
import { classifyTraffic } from '@cellplane/cells-common';
import { readPrometheus, stepFor } from './prometheus';
import { TrafficSourceConfig } from './config';
import { END, ENV, HOUR, index, model, recordedMetrics, settings, startPrometheus } from './__testUtils__/artemisTraffic';

jest.setTimeout(120_000);

type PrometheusConfig = Extract<TrafficSourceConfig, { type: 'prometheus' }>;

/** A series' growth over the window, read from the recording itself (the expected count). */
const metricsText = recordedMetrics();

function recorded(metric: string, match: string[], from: number, to: number): number {
  const values = new Map<string, [number, number][]>();
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${metric}{`) || !match.every(m => line.includes(m))) continue;
    const [labels, value, ts] = line.split(/ (?=[^ ]+ [^ ]+$)| (?=[^ ]+$)/);
    values.set(labels, [...(values.get(labels) ?? []), [Number(ts) * 1000, Number(value)]]);
  }
  let total = 0;
  for (const points of values.values()) {
    const at = (t: number) => points.filter(([pt]) => pt <= t).pop()?.[1] ?? 0;
    total += at(to) - at(from);
  }
  return total;
}

describe('readPrometheus (Istio metrics of Artemis in a real Prometheus)', () => {
  let prometheus: { url: string; stop: () => Promise<void> };
  let config: PrometheusConfig;

  beforeAll(async () => {
    prometheus = await startPrometheus();
    config = { type: 'prometheus', url: prometheus.url, headers: { 'X-Scope-OrgID': 'artemis' }, resolutionMs: HOUR };
  });
  afterAll(() => prometheus?.stop());

  const week = { from: END - 168 * HOUR, to: END };

  it('classifies a week: the declared calls seen, the undeclared one, the unused grant, the rogue denied', async () => {
    const read = await readPrometheus(config, index, week);
    const classified = classifyTraffic(model, settings, { environment: ENV, window: week, edges: read.edges, before: read.before });
    const byClass = (c: string) => classified.edges.filter(e => e.class === c).map(e => `${e.from} -> ${e.to} ${e.protocol}`);
    expect(byClass('undeclared-allowed')).toEqual(['component:default/pad-operations -> component:default/launch-control HTTP']);
    expect(byClass('declared-unused')).toEqual(['component:default/mission-relay -> component:default/service-module-monitor HTTP']);
    expect(byClass('denied')).toEqual([
      'workload:dp-default-houston-development-8d981cd8/debug-shell -> component:default/comms-system TCP',
      'workload:dp-default-houston-development-8d981cd8/debug-shell -> component:default/flight-director HTTP',
    ]);
    expect(classified.edges.filter(e => e.class === 'denied').every(e => e.suspicious)).toBe(true);
    const pairs = new Set(model.grants.map(g => `${g.caller.kind === 'gateway' ? 'gateway' : g.caller.ref} -> ${g.callee}`));
    // Every declared pair but the unused one, plus madrid's ztunnel connections to telemetry-monitor (TCP, also declared).
    expect(byClass('declared-seen')).toHaveLength(pairs.size - 1 + 1);
    expect(read.skipped).toEqual({});
  });

  it('counts what the recording holds, and when it was first and last seen', async () => {
    const read = await readPrometheus(config, index, week);
    const undeclared = read.edges.find(e => e.from === 'component:default/pad-operations')!;
    expect(undeclared.count).toBe(
      recorded('istio_requests_total', ['source_workload="pad-operations"', 'destination_workload="launch-control"'], week.from, week.to),
    );
    // It started 72 hours before the end: the first hour with calls ends 71 hours before it.
    expect(undeclared.firstSeen).toBe(END - 72 * HOUR);
    expect(undeclared.lastSeen).toBe(END);
    const rogueTcp = read.edges.find(e => e.to === 'component:default/comms-system' && !e.allowed)!;
    expect(rogueTcp).toMatchObject({ protocol: 'TCP', reasons: ['ztunnel refused the connection (DENY)'], seenBy: ['ztunnel'] });
    expect(rogueTcp.count).toBe(recorded('istio_tcp_connections_failed_total', ['source_workload="debug-shell"'], week.from, week.to));
    // ztunnel counted the refused connections as opened too: none is left allowed.
    expect(read.edges.find(e => e.to === 'component:default/comms-system' && e.from.includes('debug-shell') && e.allowed)).toBeUndefined();
  });

  it('answers a day: the rogue attempts 30 hours ago are outside it', async () => {
    const day = { from: END - 24 * HOUR, to: END };
    const read = await readPrometheus(config, index, day);
    expect(read.edges.filter(e => !e.allowed)).toEqual([]);
    const fd = read.edges.find(e => e.from === 'gateway' && e.to === 'component:default/flight-director')!;
    expect(fd.count).toBe(recorded('istio_requests_total', ['source_workload="external-istio"', 'destination_workload="flight-director"'], day.from, day.to));
    expect(stepFor(day, HOUR)).toBe(3600);
    expect(stepFor(week, 60_000)).toBe(1210);
  });

  it('names the source when Prometheus is unreachable or refuses the query', async () => {
    await expect(readPrometheus({ ...config, url: 'http://127.0.0.1:1' }, index, week)).rejects.toThrow('prometheus http://127.0.0.1:1: unreachable');
    await expect(readPrometheus({ ...config, url: `${prometheus.url}/nothing-here` }, index, week)).rejects.toThrow(
      `prometheus ${prometheus.url}/nothing-here: answered HTTP 404`,
    );
    await expect(readPrometheus(config, index, { from: END, to: END - HOUR })).rejects.toThrow(/query failed: HTTP 400 bad_data/);
  });
});
