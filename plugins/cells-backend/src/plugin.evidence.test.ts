import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { EvidencePack } from '@cellplane/cells-common';
import { eventually } from './__testUtils__/eventually';
import { houstonOnly, houstonPermissions } from './__testUtils__/houstonPermissions';
import { expectMatchesSpec, startCellsPlugin } from './__testUtils__/pluginHarness';

jest.setTimeout(180_000);

const alice = mockCredentials.user.header('user:default/alice');
const operator = mockCredentials.user.header(houstonOnly);

describe('the cells backend plugin, kept evidence: verification runs and the audit trail', () => {
  let t: Awaited<ReturnType<typeof startCellsPlugin>>;
  beforeAll(async () => {
    t = await startCellsPlugin([houstonPermissions]);
  });
  afterAll(async () => {
    await t.backend.stop();
  });

  it("stores a verification of each cell the first pass changed, serves it, and the evidence pack carries it as the cell's history", async () => {
    const runs = await eventually(
      "houston's verification after the first pass",
      async () => request(t.server).get('/api/cells/cells/default/houston/verifications?environment=development').set('Authorization', alice),
      res => res.status === 200 && res.body.items.some((r: any) => r.trigger === 'change'),
    );
    expectMatchesSpec('/cells/{namespace}/{name}/verifications', 'get', 200, runs.body);
    expect(runs.body.retentionDays).toBe(400);
    const change = runs.body.items.find((r: any) => r.trigger === 'change');
    expect(change).toMatchObject({ entityRef: 'system:default/houston', environment: 'development', result: 'pass', violations: 0 });
    expect(change.requestsChecked).toBeGreaterThan(0);
    expect(change.manifestsDigest).toMatch(/^[0-9a-f]{64}$/);

    const res = await request(t.server).get('/api/cells/cells/default/houston/report?format=json&environment=development').set('Authorization', alice);
    expect(res.status).toBe(200);
    const verification = (res.body as EvidencePack).environments[0].verification;
    expect(verification.historyKept).toBe(true);
    const kept = await request(t.server).get('/api/cells/cells/default/houston/verifications?environment=development').set('Authorization', alice);
    expect(verification.history).toEqual(kept.body.items.map(({ entityRef: _cell, ...record }: any) => record));
    // The download's own run is judged over the same manifests as the stored one.
    expect(verification.latest.manifestsDigest).toBe(change.manifestsDigest);
    expect(verification.latest.requestsChecked).toBe(change.requestsChecked);
  });

  it('records report downloads, reconcile requests and refused requests with their caller, and lists them per cell', async () => {
    await request(t.server).get('/api/cells/cells/default/houston/report?format=md').set('Authorization', alice).expect(200);
    await request(t.server).post('/api/cells/reconcile').set('Authorization', alice).send({ entityRef: 'system:default/houston' }).expect(202);
    // The operator may read houston alone: a reconcile of orion is refused, and recorded as failed.
    await request(t.server).get('/api/cells/cells/default/orion/report').set('Authorization', operator).expect(403);

    const trail = await request(t.server).get('/api/cells/cells/default/houston/audit').set('Authorization', alice);
    expect(trail.status).toBe(200);
    expectMatchesSpec('/cells/{namespace}/{name}/audit', 'get', 200, trail.body);
    expect(trail.body.items.slice(0, 2).map((e: any) => [e.action, e.actor, e.outcome, e.entityRef])).toEqual([
      ['reconcile', 'user:default/alice', 'succeeded', 'system:default/houston'],
      ['report-download', 'user:default/alice', 'succeeded', 'system:default/houston'],
    ]);
    expect(trail.body.items[1].detail).toEqual({ format: 'md' });
    const orion = await request(t.server).get('/api/cells/cells/default/orion/audit').set('Authorization', alice);
    expect(orion.body.items[0]).toMatchObject({ action: 'report-download', actor: houstonOnly, outcome: 'failed' });
    // The trail is read like the cell's other reads: the operator may not read orion's.
    expect((await request(t.server).get('/api/cells/cells/default/orion/audit').set('Authorization', operator)).status).toBe(403);
    expect((await request(t.server).get('/api/cells/cells/default/houston/audit?limit=1').set('Authorization', operator)).body.items).toHaveLength(1);

    // A bundle's download is in the trail of every cell it holds.
    await request(t.server).get('/api/cells/report?owner=group:default/houston-flight-ops&format=md').set('Authorization', alice).expect(200);
    const [bundled] = (await request(t.server).get('/api/cells/cells/default/houston/audit?limit=1').set('Authorization', alice)).body.items;
    expect(bundled).toMatchObject({
      action: 'report-download',
      actor: 'user:default/alice',
      outcome: 'succeeded',
      detail: { format: 'md', scope: 'group:default/houston-flight-ops' },
    });
  });
});
