import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { buildEvidencePack, readCellsSettings } from '@cellplane/cells-common';
import { evidencePdf } from '@cellplane/cells-report';
import { loadCatalog } from '../lib/catalog';
import { cellplane } from '../testing/runCli';
import { reportTime } from './report';

const ARTEMIS = path.resolve(__dirname, '../../../../examples/artemis');
const EPOCH = '1764579600'; // 2025-12-01T09:00:00Z

jest.setTimeout(120_000);

describe('cellplane report', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-report-test-'));
  beforeAll(() => (process.env.SOURCE_DATE_EPOCH = EPOCH));
  afterAll(() => {
    delete process.env.SOURCE_DATE_EPOCH;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the JSON pack of one cell: its register, matrices and verification', async () => {
    const { code, stdout } = await cellplane('report', ARTEMIS, '--cell', 'houston', '--format', 'json');
    expect(code).toBe(0);
    const pack = JSON.parse(stdout);
    expect(pack).toMatchObject({
      kind: 'cellplane.io/evidence-pack',
      generatedAt: '2025-12-01T09:00:00.000Z',
      generator: { name: 'cellplane', version: '0.1.0' },
      cell: { ref: 'system:default/houston', title: 'Houston (Mission Control)', owner: 'group:default/houston-flight-ops' },
      // Without the example's provider (no --config), flight-director's public route is closed: the gateway's flow is not in the register.
      summary: { result: 'pass', flows: 15, differences: 0 },
    });
    const configured = await cellplane('report', ARTEMIS, '--cell', 'houston', '--format', 'json', '--config', path.resolve(ARTEMIS, '../../app-config.yaml'));
    expect(JSON.parse(configured.stdout).summary).toMatchObject({ result: 'pass', flows: 16, differences: 0 });
    expect(pack.environments[0].verification.latest).toMatchObject({ result: 'pass', trigger: 'cli', cellplaneVersion: '0.1.0' });
    expect(pack.environments[0].register.map((f: any) => `${f.from.label} -> ${f.to.label}`)).toContain('houston/capcom -> orion/comms-system');
  });

  it("writes the PDF of a fresh clone's example to <cell>.evidence.pdf: the bytes the report package makes of that pack", async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { code, stderr } = await cellplane('report', ARTEMIS, '--cell', 'houston', '--format', 'pdf');
      expect(code).toBe(0);
      expect(stderr).toBe('houston: PASS, 15 flows, 0 differences\nwrote houston.evidence.pdf\n');
    } finally {
      process.chdir(cwd);
    }
    const written = fs.readFileSync(path.join(dir, 'houston.evidence.pdf'));
    expect(written.subarray(0, 5).toString()).toBe('%PDF-');
    const { model, titles } = loadCatalog([ARTEMIS]);
    const pack = buildEvidencePack(model, readCellsSettings(undefined), 'houston', { generatedAt: reportTime(), version: '0.1.0', titles, trigger: 'cli' });
    expect(written.equals(await evidencePdf(pack))).toBe(true);
  });

  it('writes Markdown with each diagram as an SVG file beside it', async () => {
    const out = path.join(dir, 'houston.md');
    const { code, stderr } = await cellplane('report', ARTEMIS, '--cell', 'system:default/houston', '--out', out);
    expect(code).toBe(0);
    const svg = path.join(dir, 'houston.houston.development.svg');
    expect(stderr).toBe(`houston: PASS, 15 flows, 0 differences\nwrote ${out}, ${svg}\n`);
    const md = fs.readFileSync(out, 'utf8');
    expect(md).toMatch(/^# Segmentation evidence: cell houston \(Houston \(Mission Control\)\)$/m);
    expect(md).toContain('![Data flows of houston in development](houston.houston.development.svg)');
    expect(fs.readFileSync(svg, 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" /);
  });

  it('reports every cell of an owner, or all cells', async () => {
    const byOwner = JSON.parse((await cellplane('report', ARTEMIS, '--owner', 'group:houston-flight-ops', '--format', 'json')).stdout);
    expect(byOwner).toMatchObject({ kind: 'cellplane.io/evidence-bundle', scope: { owner: 'group:default/houston-flight-ops' } });
    expect(byOwner.packs.map((p: any) => p.cell.name)).toEqual(['houston']);
    const all = await cellplane('report', ARTEMIS, '--all');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^# Segmentation evidence: 5 cells, all cells$/m);
  });

  it('judges given manifests: a widened policy is a FAIL with its differences', async () => {
    const render = await cellplane('render', ARTEMIS);
    expect(render.code).toBe(0);
    const objects = parseAllDocuments(render.stdout).map(d => d.toJS());
    // Houston's callers may now do anything on orion/comms-system, not only POST /uplink.
    const policy = objects.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'comms-system');
    const houston = policy.spec.rules.find((r: any) => r.from[0].source.principals.some((p: string) => p.endsWith('/sa/capcom')));
    delete houston.to;
    const rendered = path.join(dir, 'rendered.yaml');
    fs.writeFileSync(rendered, objects.map(o => stringify(o)).join('---\n'));
    const { code, stdout } = await cellplane('report', ARTEMIS, '--cell', 'houston', '--format', 'json', '--manifests', rendered);
    expect(code).toBe(0);
    const pack = JSON.parse(stdout);
    expect(pack.summary.result).toBe('fail');
    expect(pack.environments[0].matrices.difference.length).toBeGreaterThan(0);
    expect(pack.environments[0].register.find((f: any) => f.from.label === 'houston/capcom' && f.to.label === 'orion/comms-system').status).toBe('differs');
  });

  it.each([
    [['--format', 'md'], 'name what to report on with exactly one of --cell <name>, --owner <group> or --all'],
    [['--cell', 'houston', '--all'], 'name what to report on with exactly one of --cell <name>, --owner <group> or --all'],
    [['--cell', 'houston', '--format', 'docx'], '--format docx: use one of json, md, pdf'],
    [['--cell', 'moon'], 'no cell moon; cells: deep-space-network, esa-ops, houston, kennedy, orion'],
    [['--cell', 'houston', '--env', 'production'], '--env production: no such environment; configured: development'],
    [
      ['--owner', 'group:nobody'],
      'no cell is owned by group:default/nobody; owners: group:default/dsn-operations, group:default/esa-service-module-team, group:default/houston-flight-ops, group:default/kennedy-launch-team, group:default/orion-crew-systems',
    ],
  ])('refuses %j, saying why', async (args, message) => {
    const { code, stderr } = await cellplane('report', ARTEMIS, ...args);
    expect(code).toBe(1);
    expect(stderr).toBe(`cellplane: ${message}\n`);
  });

  it('takes its time from SOURCE_DATE_EPOCH, and refuses a bad one', () => {
    expect(reportTime({ SOURCE_DATE_EPOCH: '0' })).toBe('1970-01-01T00:00:00.000Z');
    expect(() => reportTime({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow('SOURCE_DATE_EPOCH=yesterday: not a number of seconds');
  });
});
