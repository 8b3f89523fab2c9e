/**
 * `POST /preview` with observed traffic, on the real plugin and router over
 * the recorded week of Artemis's Istio metrics in a real Prometheus
 * (tools/traffic-prometheus.js, shifted to end now: the preview reads the last
 * 24 hours): removing a call in use lists the observed calls it would break,
 * each with the deciding layer, policy and reason; allowing the one
 * undeclared call breaks nothing and mends it (at L7, as GET /rollout lists
 * it); without a source there is no `observed`.
 */
import path from 'node:path';
import request from 'supertest';
import { Entity } from '@backstage/catalog-model';
import { mockCredentials } from '@backstage/backend-test-utils';
import { expectMatchesSpec, startCellsPlugin } from './__testUtils__/pluginHarness';
import { artemisEntities, artemisGateway } from './__testUtils__/artemis';

jest.setTimeout(240_000);

const user = mockCredentials.user.header('user:default/alice');
const component = (name: string) => artemisEntities().find(e => e.kind === 'Component' && e.metadata.name === name)!;

/** launch-control without its call to pad-operations: what "Remove a call" previews. */
function launchControlWithoutPad(): Entity {
  const e = component('launch-control');
  return { ...e, spec: { ...e.spec, connections: ((e.spec as any).connections as any[]).filter(c => c.to !== 'pad-operations') } };
}

/** pad-operations declaring its call to launch-control: what "Allow a call" previews. */
function padOperationsAllowed(): Entity {
  const e = component('pad-operations');
  const connections = [...(((e.spec as any).connections as any[]) ?? []), { to: 'launch-control', endpoint: 'http' }];
  return { ...e, spec: { ...e.spec, connections } };
}

describe('the cells backend plugin, POST /preview with observed traffic from a real Prometheus', () => {
  let prometheus: { url: string; stop: () => Promise<void> };
  let t: Awaited<ReturnType<typeof startCellsPlugin>>;
  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    prometheus = await require(path.resolve(__dirname, '../../../tools/traffic-prometheus.js')).startTrafficPrometheus(['--end', 'now']);
    t = await startCellsPlugin([], {
      traffic: { sources: [{ type: 'prometheus', url: prometheus.url, resolution: { hours: 2 } }] },
      gateway: artemisGateway(),
    });
  });
  afterAll(async () => {
    await t?.backend.stop();
    await prometheus?.stop();
  });

  const preview = async (entity: Entity) => {
    const res = await request(t.server)
      .post('/api/cells/preview')
      .set('Authorization', user)
      .send({ environment: 'development', entities: [entity] });
    expect(res.status).toBe(200);
    expectMatchesSpec('/preview', 'post', 200, res.body);
    return res.body;
  };

  it('removing a call in use lists the observed calls it would break, with the deciding layer, policy and reason', async () => {
    const body = await preview(launchControlWithoutPad());
    expect(body.accessDiff.removed.map((r: any) => r.text)).toContain('kennedy/launch-control may no longer GET /pad/status on kennedy/pad-operations');
    const observed = body.observed;
    expect(observed.failure).toBeUndefined();
    expect(observed.sources).toEqual([expect.stringContaining(prometheus.url)]);
    expect(Date.parse(observed.window.to) - Date.parse(observed.window.from)).toBe(24 * 3_600_000);
    expect(observed.wouldBreak).toEqual([
      expect.objectContaining({
        from: 'component:default/launch-control',
        to: 'component:default/pad-operations',
        protocol: 'HTTP',
        endpoint: 'http',
        // With launch-control gone, nothing in kennedy calls pad-operations: the waypoint's own egress rule to it goes too.
        layer: 'L3/L4',
        policy: expect.stringContaining('dp-default-kennedy-development-01c3c19a/cell.default-deny'),
        reason: expect.stringContaining('no rule admits traffic to dp-default-kennedy-development-01c3c19a/pad-operations'),
      }),
    ]);
    expect(observed.wouldBreak[0].count).toBeGreaterThan(0);
    // The undeclared call pad-operations -> launch-control is denied by enforce on both sides: counted apart, not blamed on the change.
    expect(observed.alreadyDenied).toBe(1);
  });

  it('allowing the undeclared call breaks nothing observed and mends the call enforcing would have broken', async () => {
    const body = await preview(padOperationsAllowed());
    expect(body.accessDiff.added.length).toBeGreaterThan(0);
    expect(body.observed.wouldBreak).toEqual([]);
    expect(body.observed.alreadyDenied).toBe(0);
    // As GET /rollout lists it before the change: at L7, by launch-control's policy.
    expect(body.observed.noLongerBroken).toEqual([
      expect.objectContaining({
        from: 'component:default/pad-operations',
        to: 'component:default/launch-control',
        layer: 'L7',
        policy: 'dp-default-kennedy-development-01c3c19a/launch-control',
      }),
    ]);
  });

  it('without a flow source the preview has no observed part', async () => {
    const bare = await startCellsPlugin();
    try {
      const res = await request(bare.server)
        .post('/api/cells/preview')
        .set('Authorization', user)
        .send({ entities: [launchControlWithoutPad()] });
      expect(res.status).toBe(200);
      expect(res.body.observed).toBeUndefined();
    } finally {
      await bare.backend.stop();
    }
  });
});
