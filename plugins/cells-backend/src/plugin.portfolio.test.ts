/**
 * `GET /portfolio` and the evidence bundle (`GET /report?owner=|all=`) on the
 * real plugin and router: the Artemis catalog, flight-director's public
 * endpoint opened to anyone (auth: none), the committed Hubble recording as
 * the traffic source, and a caller who may read houston alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { Entity } from '@backstage/catalog-model';
import { mockCredentials } from '@backstage/backend-test-utils';
import { buildCellModel, cellDeclarationCounts, EvidenceBundle } from '@cellplane/cells-common';
import { artemisEntities } from './__testUtils__/artemis';
import { pdfText } from './__testUtils__/pdfText';
import { expectMatchesSpec, startCellsPlugin } from './__testUtils__/pluginHarness';
import { houstonOnly, houstonPermissions } from './__testUtils__/houstonPermissions';

jest.setTimeout(180_000);

const HUBBLE = path.resolve(__dirname, '../../../examples/artemis-traffic/hubble-flows.jsonl');
const WINDOW = 'since=2026-11-29T23:00:00Z&until=2026-11-30T00:00:00Z';
const user = mockCredentials.user.header('user:default/alice');
const houstonUser = mockCredentials.user.header(houstonOnly);
const ARTEMIS = ['system:default/deep-space-network', 'system:default/esa-ops', 'system:default/houston', 'system:default/kennedy', 'system:default/orion'];

/** flight-director's public endpoint open to anyone: a public endpoint without authentication. */
function openFlightDirector(entities: Entity[]): Entity[] {
  return entities.map(e => {
    if (e.metadata.name !== 'flight-director') return e;
    const spec = e.spec as { endpoints: Record<string, unknown>[] };
    return { ...e, spec: { ...spec, endpoints: spec.endpoints.map(ep => ({ ...ep, auth: 'none' })) } };
  });
}

const binary = (response: any, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('the cells backend plugin, the portfolio (GET /portfolio) and evidence bundles (GET /report)', () => {
  let t: Awaited<ReturnType<typeof startCellsPlugin>>;
  beforeAll(async () => {
    t = await startCellsPlugin([houstonPermissions], { traffic: { sources: [{ type: 'hubble', file: HUBBLE }] } }, openFlightDirector);
  });
  afterAll(async () => {
    await t.backend.stop();
  });

  it('lists the five Artemis cells with their verification, declarations, unused grants and last access change', async () => {
    const res = await request(t.server).get(`/api/cells/portfolio?${WINDOW}`).set('Authorization', user);
    expect(res.status).toBe(200);
    expectMatchesSpec('/portfolio', 'get', 200, res.body);
    const rows = res.body.items as any[];
    expect(rows.map(r => [r.entityRef, r.environment])).toEqual(ARTEMIS.map(ref => [ref, 'development']));
    expect(res.body.traffic).toEqual([
      { environment: 'development', state: 'read', window: { from: '2026-11-29T23:00:00.000Z', to: '2026-11-30T00:00:00.000Z' } },
    ]);
    // Verified by the analyzer now, every cell passing (the cell detail's compliance says the same).
    for (const row of rows) {
      expect(row.verification).toMatchObject({ source: 'analysis', result: 'pass', violations: 0 });
      expect(row.verification.requestsChecked).toBeGreaterThan(0);
      expect(Date.parse(row.verification.at)).not.toBeNaN();
    }
    const detail = await request(t.server).get('/api/cells/cells/default/houston').set('Authorization', user);
    const houston = rows.find(r => r.entityRef === 'system:default/houston');
    expect(houston.verification.requestsChecked).toBe(detail.body.compliance.requestsChecked);
    expect(houston).toMatchObject({ title: detail.body.title, owner: 'group:default/houston-flight-ops' });
    // The declarations, as the core counts them on the same catalog.
    const { model } = buildCellModel(openFlightDirector(artemisEntities()), { defaultEnvironments: ['development'] });
    for (const row of rows) {
      const counts = cellDeclarationCounts(model, row.entityRef);
      expect([row.grants, row.unreasonedGrants, row.publicEndpoints, row.publicWithoutAuth, row.egress]).toEqual([
        counts.grants,
        counts.unreasonedGrants,
        counts.publicEndpoints,
        counts.publicWithoutAuth,
        counts.egress,
      ]);
    }
    expect(houston).toMatchObject({ publicEndpoints: 1, publicWithoutAuth: 1 });
    expect(houston.grants).toBeGreaterThanOrEqual(10);
    // Unused grants: the window's declared-unused calls with a houston end, as GET /traffic lists them.
    const traffic = await request(t.server).get(`/api/cells/traffic?${WINDOW}`).set('Authorization', houstonUser);
    const houstonNodes = new Set(['system:default/houston', ...model.cells.find(c => c.name === 'houston')!.components]);
    const unused = (traffic.body.edges as any[]).filter(e => e.class === 'declared-unused' && (houstonNodes.has(e.from) || houstonNodes.has(e.to)));
    expect(unused.length).toBeGreaterThan(0);
    expect(houston.unusedGrants).toBe(unused.length);
    expect(rows.reduce((n, r) => n + r.unusedGrants, 0)).toBeGreaterThanOrEqual(34);
    // The first pass applied every cell: its kept change is each cell's last access change.
    const history = await request(t.server).get('/api/cells/history?entityRef=system:default/houston&environment=development').set('Authorization', user);
    const items = history.body.items as any[];
    const expected = items.find(i => i.accessDiff.added.length + i.accessDiff.removed.length > 0) ?? items.at(-1);
    expect(houston.lastAccessChange).toEqual({ at: expected.at, summary: expected.summary, days: expect.any(Number) });
    expect(houston.lastAccessChange.days).toBe(Math.floor((Date.parse(res.body.generatedAt) - Date.parse(expected.at)) / 86_400_000));
  });

  it("shows a caller who may read houston only houston's row", async () => {
    const res = await request(t.server).get(`/api/cells/portfolio?${WINDOW}`).set('Authorization', houstonUser);
    expect(res.status).toBe(200);
    expect(res.body.items.map((r: any) => r.entityRef)).toEqual(['system:default/houston']);
  });

  it('refuses a bad window or environment with 400 naming the field', async () => {
    const since = await request(t.server).get('/api/cells/portfolio?since=yesterday').set('Authorization', user);
    expect(since.status).toBe(400);
    expect(since.body.error.message).toBe('since: "yesterday" is not an ISO time; write e.g. 2026-11-30T00:00:00Z');
    const env = await request(t.server).get('/api/cells/portfolio?environment=prod').set('Authorization', user);
    expect(env.status).toBe(400);
    expect(env.body.error.message).toMatch(/^environment: unknown environment "prod"/);
  });

  it("serves an owner's bundle as JSON and PDF, and every cell's to a caller who may read them all", async () => {
    const json = await request(t.server).get('/api/cells/report?owner=group:houston-flight-ops').set('Authorization', houstonUser);
    expect(json.status).toBe(200);
    expect(json.headers['content-disposition']).toBe('attachment; filename="group-default-houston-flight-ops.evidence.json"');
    expectMatchesSpec('/report', 'get', 200, json.body);
    const bundle = json.body as EvidenceBundle;
    expect(bundle).toMatchObject({ kind: 'cellplane.io/evidence-bundle', scope: { owner: 'group:default/houston-flight-ops' } });
    expect(bundle.packs.map(p => p.cell.ref)).toEqual(['system:default/houston']);
    expect(bundle.packs[0].environments[0].verification).toMatchObject({ historyKept: true, latest: { result: 'pass', trigger: 'api' } });
    const pdf = await request(t.server)
      .get('/api/cells/report?all=true&format=pdf&environment=development')
      .set('Authorization', user)
      .buffer(true)
      .parse(binary);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe('attachment; filename="all.development.evidence.pdf"');
    const text = pdfText(pdf.body as Buffer);
    for (const name of ['houston', 'orion', 'kennedy', 'esa-ops', 'deep-space-network']) expect(text).toContain(name);
    const md = await request(t.server).get('/api/cells/report?all=true&format=md').set('Authorization', user);
    expect(md.status).toBe(200);
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.text).toContain('houston/capcom');
  });

  it('refuses a bundle holding a cell the caller may not read (403), an unknown owner (404), and a scope not given once (400)', async () => {
    const all = await request(t.server).get('/api/cells/report?all=true').set('Authorization', houstonUser);
    expect(all.status).toBe(403);
    expect(all.body.error.message).toMatch(/^cells\.manifest\.read is not allowed on system:default\//);
    const orion = await request(t.server).get('/api/cells/report?owner=group:default/orion-crew-systems').set('Authorization', houstonUser);
    expect(orion.status).toBe(403);
    expect(orion.body.error.message).toBe('cells.manifest.read is not allowed on system:default/orion');
    const nobody = await request(t.server).get('/api/cells/report?owner=group:default/apollo').set('Authorization', user);
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.message).toBe('no cell is owned by group:default/apollo');
    const neither = await request(t.server).get('/api/cells/report').set('Authorization', user);
    expect(neither.status).toBe(400);
    expect(neither.body.error.message).toMatch(/^owner: name an owner/);
    const both = await request(t.server).get('/api/cells/report?all=true&owner=group:default/apollo').set('Authorization', user);
    expect(both.status).toBe(400);
    const format = await request(t.server).get('/api/cells/report?all=true&format=docx').set('Authorization', user);
    expect(format.status).toBe(400);
    expect(format.body.error.message).toMatch(/^format: /);
  });
});

describe('the cells backend plugin, the portfolio without traffic', () => {
  it('leaves unused grants out and says why when the traffic source cannot be read, still answering every row', async () => {
    const missing = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-portfolio-')), 'gone.jsonl');
    const t = await startCellsPlugin([], { traffic: { sources: [{ type: 'hubble', file: missing }] } });
    try {
      const res = await request(t.server).get(`/api/cells/portfolio?${WINDOW}`).set('Authorization', user);
      expect(res.status).toBe(200);
      expectMatchesSpec('/portfolio', 'get', 200, res.body);
      expect(res.body.traffic).toEqual([
        {
          environment: 'development',
          state: 'unavailable',
          window: { from: '2026-11-29T23:00:00.000Z', to: '2026-11-30T00:00:00.000Z' },
          message: expect.stringContaining(`hubble file ${missing}`),
        },
      ]);
      expect(res.body.items).toHaveLength(5);
      expect(res.body.items.some((r: any) => 'unusedGrants' in r)).toBe(false);
    } finally {
      await t.backend.stop();
    }
  });

  it('leaves unused grants out and says there is no traffic source', async () => {
    const t = await startCellsPlugin();
    try {
      const res = await request(t.server).get('/api/cells/portfolio').set('Authorization', user);
      expect(res.status).toBe(200);
      expect(res.body.traffic).toEqual([
        { environment: 'development', state: 'no-traffic-source', message: 'no traffic source: set cells.traffic.sources (docs/traffic.md)' },
      ]);
      expect(res.body.items).toHaveLength(5);
      expect(res.body.items.some((r: any) => 'unusedGrants' in r)).toBe(false);
    } finally {
      await t.backend.stop();
    }
  });
});
