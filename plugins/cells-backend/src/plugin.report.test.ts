import request from 'supertest';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { mockCredentials } from '@backstage/backend-test-utils';
import { buildCellModel, checkRegister, createSimulation, DEFAULT_SETTINGS, EVIDENCE_SCHEMA, EvidencePack, verifySimulation } from '@cellplane/cells-common';
import { artemisEntities } from './__testUtils__/artemis';
import { pdfText } from './__testUtils__/pdfText';
import { expectMatchesSpec, startCellsPlugin } from './__testUtils__/pluginHarness';

jest.setTimeout(120_000);

const user = mockCredentials.user.header('user:default/alice');

describe("the cells backend plugin, a cell's evidence pack (GET report)", () => {
  let t: Awaited<ReturnType<typeof startCellsPlugin>>;
  beforeAll(async () => {
    t = await startCellsPlugin();
  });
  afterAll(async () => {
    await t.backend.stop();
  });

  it("GET report serves houston's evidence pack: its register is exactly verify's allowed flows, with the kept changes", async () => {
    const res = await request(t.server).get('/api/cells/cells/default/houston/report?format=json&environment=development').set('Authorization', user);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="default.houston.development.evidence.json"');
    expectMatchesSpec('/cells/{namespace}/{name}/report', 'get', 200, res.body);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(EVIDENCE_SCHEMA);
    expect(validate(res.body) ? [] : validate.errors).toEqual([]);
    const pack = res.body as EvidencePack;
    expect(pack.cell).toMatchObject({ ref: 'system:default/houston', name: 'houston' });
    expect(pack.environments.map(e => e.environment)).toEqual(['development']);
    // Checked against a verify run of the whole environment made here, apart from the backend.
    const { model, problems } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });
    expect(problems).toEqual([]);
    const whole = verifySimulation(createSimulation(model, DEFAULT_SETTINGS, 'development'), { recordAllowed: true });
    const register = pack.environments[0].register;
    expect(register.length).toBeGreaterThan(5);
    expect(checkRegister(model, 'system:default/houston', register, whole.allowed!)).toEqual({
      missingFlows: [],
      extraFlows: [],
      unaccountedRequests: [],
      unsupportedRows: [],
    });
    expect(pack.summary).toMatchObject({ result: 'pass', differences: 0 });
    // The backend keeps changes (the first pass's among them) and the verification runs it stored (plugin.evidence.test.ts).
    const history = await request(t.server).get('/api/cells/history?entityRef=system:default/houston').set('Authorization', user);
    expect(pack.environments[0].changes!.map(c => c.at)).toEqual(history.body.items.map((i: any) => i.at));
    expect(pack.environments[0].verification).toMatchObject({ historyKept: true, latest: { result: 'pass', trigger: 'api' } });
    // A flow's approval is the newest kept change that added it (none here when the first pass recorded no access diff).
    const added = history.body.items.find((i: any) => i.accessDiff.added.some((a: any) => a.from === 'houston/capcom' && a.to === 'orion/comms-system'));
    const uplink = register.find(r => r.from.label === 'houston/capcom' && r.to.label === 'orion/comms-system')!;
    expect(uplink.approval).toEqual(added ? { at: added.at, summary: added.summary } : null);
  });

  it('GET report as Markdown and as PDF names the cell and its flows', async () => {
    const md = await request(t.server).get('/api/cells/cells/default/houston/report?format=md').set('Authorization', user);
    expect(md.status).toBe(200);
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.headers['content-disposition']).toBe('attachment; filename="default.houston.evidence.md"');
    expect(md.text).toContain('houston');
    expect(md.text).toContain('houston/capcom');
    expect(md.text).toContain('orion/comms-system');
    const pdf = await request(t.server)
      .get('/api/cells/cells/default/houston/report?format=pdf&environment=development')
      .set('Authorization', user)
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe('attachment; filename="default.houston.development.evidence.pdf"');
    const body = pdf.body as Buffer;
    expect(body.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(body);
    expect(text).toContain('houston');
    expect(text).toContain('houston/capcom');
    expect(text).toContain('orion/comms-system');
  });

  it('GET report answers 404 for an unknown cell, 400 naming a bad format or environment', async () => {
    const missing = await request(t.server).get('/api/cells/cells/default/apollo/report').set('Authorization', user);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('no cell system:default/apollo in the catalog');
    const format = await request(t.server).get('/api/cells/cells/default/houston/report?format=docx').set('Authorization', user);
    expect(format.status).toBe(400);
    expect(format.body.error.message).toMatch(/^format: /);
    const environment = await request(t.server).get('/api/cells/cells/default/houston/report?environment=prod').set('Authorization', user);
    expect(environment.status).toBe(400);
    expect(environment.body.error.message).toMatch(/^environment: unknown environment "prod"/);
  });
});
