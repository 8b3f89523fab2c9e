/**
 * `GET /traffic` on the real plugin and router, reading the committed Hubble
 * recording of Artemis (examples/artemis-traffic, no network): the classes the
 * CLI shows for the same window, the read permission, the window's bounds and
 * a source that cannot be read; and the recorded week of Istio's metrics from
 * a real local Prometheus (tools/traffic-prometheus.js), where all four
 * classes appear as in the CLI's traffic test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { expectMatchesSpec, startCellsPlugin } from './__testUtils__/pluginHarness';
import { houstonOnly, houstonPermissions } from './__testUtils__/houstonPermissions';

jest.setTimeout(120_000);

const HUBBLE = path.resolve(__dirname, '../../../examples/artemis-traffic/hubble-flows.jsonl');
const WINDOW = 'since=2026-11-29T23:00:00Z&until=2026-11-30T00:00:00Z';
const user = mockCredentials.user.header('user:default/alice');

const houstonRefs = new Set([
  'system:default/houston',
  'component:default/capcom',
  'component:default/flight-director',
  'component:default/flight-dynamics',
  'component:default/telemetry-monitor',
]);

describe('the cells backend plugin, observed traffic (GET /traffic)', () => {
  let t: Awaited<ReturnType<typeof startCellsPlugin>>;
  beforeAll(async () => {
    t = await startCellsPlugin([houstonPermissions], { traffic: { sources: [{ type: 'hubble', file: HUBBLE }] } });
  });
  afterAll(async () => {
    await t.backend.stop();
  });

  it("classifies the recording's hour as the CLI does: declared-seen, declared-unused and a suspicious denied call", async () => {
    const res = await request(t.server).get(`/api/cells/traffic?environment=development&${WINDOW}`).set('Authorization', user);
    expect(res.status).toBe(200);
    expectMatchesSpec('/traffic', 'get', 200, res.body);
    expect(res.body.window).toEqual({ from: '2026-11-29T23:00:00.000Z', to: '2026-11-30T00:00:00.000Z' });
    expect(res.body.sources).toEqual([`hubble file ${HUBBLE}`]);
    expect(res.body.counts).toEqual({ 'declared-seen': 4, 'declared-unused': 37, 'undeclared-allowed': 0, denied: 1 });
    expect(res.body.skipped).toMatchObject({ 'lost events (Hubble dropped flows)': 1, 'not a flow (node status)': 1 });
    const edges = res.body.edges as any[];
    expect(edges.find(e => e.from === 'component:default/capcom' && e.to === 'system:default/orion')).toMatchObject({
      class: 'declared-seen',
      protocol: 'HBONE',
      count: 30,
      lastSeen: '2026-11-29T23:59:40.001Z',
      cellLevel: true,
    });
    expect(edges.filter(e => e.class === 'denied')).toEqual([
      expect.objectContaining({
        from: 'workload:dp-default-houston-development-8d981cd8/debug-shell',
        to: 'component:default/flight-director',
        port: 8080,
        protocol: 'TCP',
        count: 4,
        suspicious: true,
        reasons: ['POLICY_DENIED'],
      }),
    ]);
    expect(edges.find(e => e.from === 'gateway' && e.to === 'component:default/flight-director')).toMatchObject({ class: 'declared-unused', count: 0 });
  });

  it('shows a caller who may read houston only the calls with an end there, the other cells hidden', async () => {
    const all = await request(t.server).get(`/api/cells/traffic?${WINDOW}`).set('Authorization', user);
    const res = await request(t.server).get(`/api/cells/traffic?${WINDOW}`).set('Authorization', mockCredentials.user.header(houstonOnly));
    expect(res.status).toBe(200);
    expectMatchesSpec('/traffic', 'get', 200, res.body);
    const edges = res.body.edges as any[];
    // Every call shown has a houston end; no other cell's component or waypoint is named.
    expect(edges.length).toBeGreaterThan(0);
    expect(edges.length).toBeLessThan(all.body.edges.length);
    const named = new Set(edges.flatMap(e => [e.from, e.to]));
    expect([...named].filter(n => /^(component|system):/.test(n) && !houstonRefs.has(n))).toEqual([]);
    // capcom's call through orion's waypoint: orion is hidden.
    expect(edges.filter(e => e.from === 'component:default/capcom' && e.class === 'declared-seen' && e.cellLevel)).toEqual([
      expect.objectContaining({ to: 'hidden', protocol: 'HBONE', count: 30 }),
    ]);
    // A call into a hidden cell loses its operation.
    expect(edges.filter(e => e.to === 'hidden').some(e => e.method !== undefined || e.path !== undefined)).toBe(false);
    expect(edges.some(e => e.class === 'denied' && e.suspicious)).toBe(true);
  });

  it('refuses a bad window with 400 naming the field', async () => {
    const notTime = await request(t.server).get('/api/cells/traffic?since=yesterday').set('Authorization', user);
    expect(notTime.status).toBe(400);
    expect(notTime.body.error.message).toBe('since: "yesterday" is not an ISO time; write e.g. 2026-11-30T00:00:00Z');
    const tooLong = await request(t.server).get('/api/cells/traffic?since=2026-01-01T00:00:00Z&until=2026-11-30T00:00:00Z').set('Authorization', user);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(/^since: the window .* is longer than 31 days/);
    const backwards = await request(t.server).get('/api/cells/traffic?since=2026-11-30T00:00:00Z&until=2026-11-29T00:00:00Z').set('Authorization', user);
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toMatch(/^since: .* is not before until/);
    const longQuery = await request(t.server)
      .get(`/api/cells/traffic?until=${'2'.repeat(41)}`)
      .set('Authorization', user);
    expect(longQuery.status).toBe(400);
    expect(longQuery.body.error.message).toMatch(/^until: /);
  });
});

describe('the cells backend plugin, traffic sources that cannot be read', () => {
  it('answers 502 naming the source when it cannot be read, and 404 when none is configured', async () => {
    const missing = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-traffic-')), 'gone.jsonl');
    const t = await startCellsPlugin([], { traffic: { sources: [{ type: 'hubble', file: missing }] } });
    try {
      const res = await request(t.server).get(`/api/cells/traffic?${WINDOW}`).set('Authorization', user);
      expect(res.status).toBe(502);
      expect(res.body.error.name).toBe('TrafficSourceUnavailableError');
      expect(res.body.error.message).toContain(`hubble file ${missing}`);
    } finally {
      await t.backend.stop();
    }
    const none = await startCellsPlugin();
    try {
      const res = await request(none.server).get(`/api/cells/traffic?${WINDOW}`).set('Authorization', user);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe('no flow source is configured: set cells.traffic.sources in app-config (docs/traffic.md)');
    } finally {
      await none.backend.stop();
    }
  });
});

describe("the cells backend plugin, a week of Istio's metrics from a real Prometheus", () => {
  let prometheus: { url: string; stop: () => Promise<void> };
  let t: Awaited<ReturnType<typeof startCellsPlugin>>;
  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    prometheus = await require(path.resolve(__dirname, '../../../tools/traffic-prometheus.js')).startTrafficPrometheus();
    t = await startCellsPlugin([], { traffic: { sources: [{ type: 'prometheus', url: prometheus.url, resolution: { hours: 1 } }] } });
  });
  afterAll(async () => {
    await t?.backend.stop();
    await prometheus?.stop();
  });

  it('shows all four classes as the CLI does: the undeclared call, the unused grant, the denied rogue pod', async () => {
    const res = await request(t.server).get('/api/cells/traffic?since=2026-11-23T00:00:00Z&until=2026-11-30T00:00:00Z').set('Authorization', user);
    expect(res.status).toBe(200);
    expectMatchesSpec('/traffic', 'get', 200, res.body);
    expect(res.body.counts).toMatchObject({ 'declared-unused': 1, 'undeclared-allowed': 1, denied: 2 });
    expect(res.body.counts['declared-seen']).toBeGreaterThan(0);
    const edges = res.body.edges as any[];
    expect(edges.filter(e => e.class === 'undeclared-allowed')).toEqual([
      expect.objectContaining({
        from: 'component:default/pad-operations',
        to: 'component:default/launch-control',
        protocol: 'HTTP',
        lastSeen: '2026-11-30T00:00:00.000Z',
      }),
    ]);
    expect(edges.filter(e => e.class === 'declared-unused')).toEqual([
      expect.objectContaining({
        from: 'component:default/mission-relay',
        to: 'component:default/service-module-monitor',
        method: 'GET',
        path: '/propulsion/status',
        count: 0,
      }),
    ]);
    expect(edges.filter(e => e.class === 'denied').map(e => [e.from, e.to, e.suspicious])).toEqual([
      ['workload:dp-default-houston-development-8d981cd8/debug-shell', 'component:default/comms-system', true],
      ['workload:dp-default-houston-development-8d981cd8/debug-shell', 'component:default/flight-director', true],
    ]);
  });
});
