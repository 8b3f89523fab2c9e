import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Entity } from '@backstage/catalog-model';
import { buildCellModel, buildEvidenceBundle, buildEvidencePack, readCellsSettings } from '@cellplane/cells-common';
import { evidencePdf } from './pdf';

const ARTEMIS = path.resolve(__dirname, '../../../examples/artemis');
const artemisEntities = (): Entity[] =>
  fs
    .readdirSync(ARTEMIS)
    .filter(f => f.endsWith('.yaml'))
    .sort()
    .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(ARTEMIS, f), 'utf8')).map(d => d.toJS() as Entity));

/**
 * The portal's settings for the example: app-config.yaml's `cells.gateway`, whose
 * identity provider flight-director's public endpoint requires (without it the
 * front door closes that route and the gateway's flow is not in the pack).
 */
const SETTINGS = readCellsSettings({
  gateway: (parseAllDocuments(fs.readFileSync(path.resolve(__dirname, '../../../app-config.yaml'), 'utf8'))[0].toJS() as any).cells.gateway,
});

const OPTIONS = { generatedAt: '2026-12-01T09:00:00.000Z', version: '0.1.0' };

function modelOf(entities: Entity[]) {
  const { model, problems } = buildCellModel(entities, { defaultEnvironments: ['development'] });
  expect(problems).toEqual([]);
  return model;
}

/** The text of every page as a PDF reader extracts it (pdf-parse), runs of whitespace made single spaces. */
async function textOf(pdf: Buffer): Promise<{ text: string; pages: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-pdf-'));
  try {
    fs.writeFileSync(path.join(dir, 'pack.pdf'), pdf);
    const out = execFileSync(process.execPath, [path.join(__dirname, '__testUtils__', 'pdfText.mjs'), path.join(dir, 'pack.pdf')], { encoding: 'utf8' });
    const { text, pages } = JSON.parse(out);
    return { text: text.replace(/\s+/g, ' '), pages };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

jest.setTimeout(60_000);

describe('the evidence pack as PDF', () => {
  const model = modelOf(
    artemisEntities().map(e => {
      if (e.metadata.name !== 'capcom') return e;
      const spec = JSON.parse(JSON.stringify(e.spec));
      spec.connections[0].reason = 'CAPCOM uplinks voice and commands to the crew';
      return { ...e, spec };
    }),
  );
  const pack = buildEvidencePack(model, SETTINGS, 'houston', OPTIONS);
  let pdf: Buffer;
  let text: string;
  let pages: number;

  beforeAll(async () => {
    pdf = await evidencePdf(pack);
    ({ text, pages } = await textOf(pdf));
  });

  it('is a PDF whose text names the cell, its result and every flow of the register', () => {
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(text).toContain('Segmentation evidence: cell houston');
    expect(text).toContain('Result: PASS');
    const register = pack.environments[0].register;
    expect(register.length).toBe(16);
    // A label may wrap in its column after "/" or "-": the extracted text then has a space there.
    const wrapping = (label: string) => label.replace(/[/-]/g, '$& ?');
    for (const f of register) {
      expect(text).toMatch(new RegExp(`${f.id} ${wrapping(f.from.label)} ${wrapping(f.to.label)} ${f.port}/TCP HTTP`));
    }
    expect(text).toContain('CAPCOM uplinks voice and commands to the crew');
  });

  it('draws the data-flow diagram as vector graphics whose labels are text too', () => {
    expect(text).toContain('Data flows of houston (development)');
    expect(text).toContain('external gateway');
    for (const f of pack.environments[0].register) expect(text).toMatch(new RegExp(`\\b${f.id}\\b`));
  });

  it('says what could not be verified, and that the command line keeps no history', () => {
    expect(text).toContain('What could not be verified here');
    expect(text).toContain('Passthrough TLS');
    expect(text).toContain('Not kept here: this pack was made without a verification history');
    expect(text).toContain('None: the manifests allow exactly what the catalog declares.');
  });

  it('gives the same bytes for the same pack', async () => {
    expect((await evidencePdf(pack)).equals(pdf)).toBe(true);
  });

  it('prints a bundle: a summary, then every cell', async () => {
    const bundle = buildEvidenceBundle(model, SETTINGS, { all: true }, OPTIONS);
    const { text: all } = await textOf(await evidencePdf(bundle));
    expect(all).toContain('Segmentation evidence: 5 cells, all cells');
    for (const name of ['deep-space-network', 'esa-ops', 'houston', 'kennedy', 'orion']) expect(all).toContain(`Segmentation evidence: cell ${name}`);
  });
});
