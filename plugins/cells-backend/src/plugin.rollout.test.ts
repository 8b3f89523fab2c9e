/**
 * `GET /rollout` on the real plugin and router, over the recorded week of
 * Istio's metrics of Artemis from a real local Prometheus
 * (tools/traffic-prometheus.js): the undeclared call pad-operations ->
 * launch-control is listed as would-break with its layer and policy, and
 * `POST /simulate` agrees request by request; with Kennedy in audit the call
 * is still listed (what enforce would break) while the applied manifests
 * admit it; once a connection declares it, nothing would break.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { Entity } from '@backstage/catalog-model';
import { mockCredentials } from '@backstage/backend-test-utils';
import { expectMatchesSpec, startCellsPlugin } from './__testUtils__/pluginHarness';
import { artemisGateway } from './__testUtils__/artemis';
import { houstonOnly, houstonPermissions } from './__testUtils__/houstonPermissions';

jest.setTimeout(240_000);

const WEEK = 'since=2026-11-23T00:00:00Z&until=2026-11-30T00:00:00Z';
const user = mockCredentials.user.header('user:default/alice');
const KENNEDY = 'system:default/kennedy';

function kennedyInAudit(entities: Entity[]): Entity[] {
  return entities.map(e =>
    e.kind === 'System' && e.metadata.name === 'kennedy' ? { ...e, spec: { ...e.spec, cell: { ...(e.spec as any).cell, enforcement: 'audit' } } } : e,
  );
}

/** launch-control declares pad-operations' call: the connection "Allow a call" would add. */
function padOperationsAllowed(method: string, requestPath: string) {
  return (entities: Entity[]): Entity[] =>
    entities.map(e =>
      e.kind === 'Component' && e.metadata.name === 'pad-operations'
        ? {
            ...e,
            spec: {
              ...e.spec,
              connections: [...((e.spec as any).connections ?? []), { to: 'launch-control', endpoint: 'http', methods: [method], paths: [requestPath] }],
            },
          }
        : e,
    );
}

const cellOf = (body: any, ref: string) => (body.cells as any[]).find(c => c.entityRef === ref);

describe("the cells backend plugin, GET /rollout over a week of Istio's metrics from a real Prometheus", () => {
  let prometheus: { url: string; stop: () => Promise<void> };
  let traffic: Record<string, unknown>;
  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    prometheus = await require(path.resolve(__dirname, '../../../tools/traffic-prometheus.js')).startTrafficPrometheus();
    // With the example's identity provider, as the portal runs it: the gateway's calls to flight-director carry its token.
    traffic = { traffic: { sources: [{ type: 'prometheus', url: prometheus.url, resolution: { hours: 1 } }] }, gateway: artemisGateway() };
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  /** `<cell>/<component>` of a component node id, as /simulate names a caller or callee. */
  const simulateName = (ref: string, cell: string) => `${cell}/${ref.split('/')[1]}`;
  const CELL_OF: Record<string, string> = { 'component:default/pad-operations': 'kennedy', 'component:default/launch-control': 'kennedy' };

  async function rollout(server: any) {
    const res = await request(server).get(`/api/cells/rollout?environment=development&${WEEK}`).set('Authorization', user);
    expect(res.status).toBe(200);
    expectMatchesSpec('/rollout', 'get', 200, res.body);
    return res.body;
  }

  async function simulate(server: any, call: any) {
    const res = await request(server)
      .post('/api/cells/simulate')
      .set('Authorization', user)
      .send({
        environment: 'development',
        from: simulateName(call.from, CELL_OF[call.from]),
        to: simulateName(call.to, CELL_OF[call.to]),
        endpoint: call.endpoint,
        ...(call.method ? { method: call.method } : {}),
        ...(call.path ? { path: call.path } : {}),
      });
    expect(res.status).toBe(200);
    return res.body;
  }

  it('lists the undeclared call as would-break with layer and policy, and /simulate agrees request by request', async () => {
    const t = await startCellsPlugin([], traffic);
    try {
      const body = await rollout(t.server);
      expect(body.window).toEqual({ from: '2026-11-23T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' });
      expect(body.sources).toEqual([expect.stringContaining(prometheus.url)]);
      expect(body.cells.map((c: any) => [c.entityRef, c.enforcement])).toEqual([
        ['system:default/deep-space-network', 'enforce'],
        ['system:default/esa-ops', 'enforce'],
        ['system:default/houston', 'enforce'],
        ['system:default/kennedy', 'enforce'],
        ['system:default/orion', 'enforce'],
      ]);
      // The recorded week's one undeclared call, and nothing else, would break.
      const all = body.cells.flatMap((c: any) => c.wouldBreak);
      expect(all).toEqual([
        {
          from: 'component:default/pad-operations',
          to: 'component:default/launch-control',
          protocol: 'HTTP',
          count: 411,
          lastSeen: '2026-11-30T00:00:00.000Z',
          endpoint: 'http',
          layer: 'L7',
          policy: 'dp-default-kennedy-development-01c3c19a/launch-control',
          reason: expect.stringContaining('the caller is cluster.local/ns/dp-default-kennedy-development-01c3c19a/sa/pad-operations (RBAC: access denied)'),
        },
      ]);
      expect(cellOf(body, KENNEDY).wouldBreak).toHaveLength(1);
      // Request by request, the simulator says the same: denied, at the same layer, by the same policy.
      for (const call of all) {
        const sim = await simulate(t.server, call);
        expect(sim.allowed).toBe(false);
        expect(sim.decidedBy).toBe(call.layer);
        expect(sim.layers.find((l: any) => l.layer === call.layer).policies).toEqual([call.policy]);
      }
    } finally {
      await t.backend.stop();
    }
  });

  it('with Kennedy in audit: still listed (what enforce would break), while the applied manifests admit the call', async () => {
    const t = await startCellsPlugin([], traffic, kennedyInAudit);
    try {
      const body = await rollout(t.server);
      expect(cellOf(body, KENNEDY).enforcement).toBe('audit');
      expect(cellOf(body, 'system:default/houston').enforcement).toBe('enforce');
      const [call] = cellOf(body, KENNEDY).wouldBreak;
      expect(call).toMatchObject({ from: 'component:default/pad-operations', to: 'component:default/launch-control', layer: 'L7' });
      // The simulator judges what is applied: Kennedy's audit objects deny nothing.
      const sim = await simulate(t.server, call);
      expect(sim.allowed).toBe(true);
      expect(sim.decidedBy).toBeNull();
    } finally {
      await t.backend.stop();
    }
  });

  it('after a connection declares the call, nothing would break', async () => {
    const t = await startCellsPlugin([], traffic, entities => padOperationsAllowed('GET', '/countdown/status')(kennedyInAudit(entities)));
    try {
      const body = await rollout(t.server);
      expect(cellOf(body, KENNEDY).enforcement).toBe('audit');
      expect(body.cells.flatMap((c: any) => c.wouldBreak)).toEqual([]);
      // The call is now judged by what pad-operations declared; the source shows no path, so it is listed as unjudged, with why.
      expect(cellOf(body, KENNEDY).unjudged).toContainEqual(
        expect.objectContaining({ from: 'component:default/pad-operations', to: 'component:default/launch-control', count: 411 }),
      );
    } finally {
      await t.backend.stop();
    }
  });
});

const HUBBLE = path.resolve(__dirname, '../../../examples/artemis-traffic/hubble-flows.jsonl');
const HOUR = 'since=2026-11-29T23:00:00Z&until=2026-11-30T00:00:00Z';

describe('the cells backend plugin, GET /rollout over the Hubble recording', () => {
  it('lists only the cells the caller may read, masking the others; 404 without a source, 502 naming one that cannot be read', async () => {
    const t = await startCellsPlugin([houstonPermissions], { traffic: { sources: [{ type: 'hubble', file: HUBBLE }] } });
    try {
      const all = await request(t.server).get(`/api/cells/rollout?${HOUR}`).set('Authorization', user);
      expect(all.status).toBe(200);
      expect(all.body.cells).toHaveLength(5);
      const res = await request(t.server).get(`/api/cells/rollout?${HOUR}`).set('Authorization', mockCredentials.user.header(houstonOnly));
      expect(res.status).toBe(200);
      expectMatchesSpec('/rollout', 'get', 200, res.body);
      expect(res.body.cells.map((c: any) => c.entityRef)).toEqual(['system:default/houston']);
      const words = JSON.stringify(res.body);
      // No other cell's component or namespace is named.
      expect(words.match(/component:default\/[a-z-]+/g)?.filter(n => !/capcom|flight-director|flight-dynamics|telemetry-monitor/.test(n)) ?? []).toEqual([]);
      expect(words).not.toMatch(/dp-default-(orion|kennedy|esa-ops|deep-space-network)-/);
    } finally {
      await t.backend.stop();
    }
    const missing = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-rollout-')), 'gone.jsonl');
    const broken = await startCellsPlugin([], { traffic: { sources: [{ type: 'hubble', file: missing }] } });
    try {
      const res = await request(broken.server).get(`/api/cells/rollout?${HOUR}`).set('Authorization', user);
      expect(res.status).toBe(502);
      expect(res.body.error.message).toContain(`hubble file ${missing}`);
    } finally {
      await broken.backend.stop();
    }
    const none = await startCellsPlugin();
    try {
      const res = await request(none.server).get('/api/cells/rollout').set('Authorization', user);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe('no flow source is configured: set cells.traffic.sources in app-config (docs/traffic.md)');
    } finally {
      await none.backend.stop();
    }
  });
});
