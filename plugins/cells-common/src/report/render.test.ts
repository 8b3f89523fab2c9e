import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { Entity } from '@backstage/catalog-model';
import { buildCellModel } from '../validation/catalog';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { artemisEntities } from '../testing/artemis';
import { buildEvidenceBundle, buildEvidencePack, EvidenceHistory } from './pack';
import { bundleMarkdown, evidenceMarkdown, mdText } from './markdown';
import { EVIDENCE_SCHEMA, evidenceJson } from './schema';
import { EvidenceChange, VerificationRecord } from './types';

const OPTIONS = { generatedAt: '2026-12-01T09:00:00.000Z', version: '0.1.0' };
const SCHEMA_FILE = path.resolve(__dirname, '../../../../docs/evidence-pack.schema.json');

function modelOf(entities: Entity[]) {
  const { model, problems } = buildCellModel(entities, { defaultEnvironments: ['development'] });
  expect(problems).toEqual([]);
  return model;
}

/** Artemis with a reason on capcom's uplink that tries to break tables and HTML. */
const model = modelOf(
  artemisEntities().map(e => {
    if (e.metadata.name !== 'capcom') return e;
    const spec = JSON.parse(JSON.stringify(e.spec));
    spec.connections[0].reason = 'Voice | commands <script>alert(1)</script>\nsecond line';
    return { ...e, spec };
  }),
);

const uplinkChange: EvidenceChange = {
  at: '2026-11-20T10:00:00.000Z',
  environment: 'development',
  summary: '1 request newly allowed',
  by: 'user:default/flight-director-on-duty',
  link: 'https://git.example/artemis/pull/42',
  reason: 'CAPCOM needs the uplink for the lunar flyby',
  accessDiff: {
    added: [
      {
        from: 'houston/capcom',
        to: 'orion/comms-system',
        port: 8080,
        method: 'POST',
        path: '/uplink',
        layer: 'L7',
        text: 'houston/capcom may now POST /uplink on orion/comms-system',
      },
    ],
    removed: [],
  },
};
const earlier: VerificationRecord = { at: '2026-11-30T09:00:00.000Z', environment: 'development', result: 'pass', requestsChecked: 4767, violations: 0 };
const history: EvidenceHistory = {
  verifications: [earlier, { ...earlier, at: '2026-11-29T09:00:00.000Z', result: 'fail', violations: 3 }],
  changes: [uplinkChange],
};

const ajv = new Ajv({ allErrors: true }).addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
const validate = ajv.compile(EVIDENCE_SCHEMA);

describe('the evidence pack as JSON', () => {
  const plain = buildEvidencePack(model, DEFAULT_SETTINGS, 'houston', OPTIONS);
  const withHistory = buildEvidencePack(model, DEFAULT_SETTINGS, 'houston', {
    ...OPTIONS,
    history: () => history,
    titles: { 'system:default/houston': 'Houston (Mission Control)' },
  });

  it.each([
    ['without history', plain],
    ['with history and changes', withHistory],
  ])('validates against the documented schema, %s', (_, pack) => {
    const parsed = JSON.parse(evidenceJson(pack));
    expect(validate(parsed) ? [] : validate.errors).toEqual([]);
  });

  it('validates a bundle of all cells, and the schema refuses a misspelled field', () => {
    const bundle = JSON.parse(evidenceJson(buildEvidenceBundle(model, DEFAULT_SETTINGS, { all: true }, OPTIONS)));
    expect(bundle.packs.map((p: { cell: { name: string } }) => p.cell.name)).toEqual(['deep-space-network', 'esa-ops', 'houston', 'kennedy', 'orion']);
    expect(validate(bundle) ? [] : validate.errors).toEqual([]);
    const broken = JSON.parse(evidenceJson(plain));
    broken.environments[0].register[0].reasons = 'typo';
    expect(validate(broken)).toBe(false);
  });

  it('is the schema written in docs/evidence-pack.schema.json', () => {
    expect(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(EVIDENCE_SCHEMA);
  });

  it('is byte-identical for the same input', () => {
    expect(evidenceJson(buildEvidencePack(model, DEFAULT_SETTINGS, 'houston', OPTIONS))).toBe(evidenceJson(plain));
  });

  it('fills approvals, history and the change log from what the caller keeps', () => {
    const env = withHistory.environments[0];
    const uplink = env.register.find(f => f.from.label === 'houston/capcom' && f.to.label === 'orion/comms-system')!;
    expect(uplink.approval).toEqual({
      at: uplinkChange.at,
      summary: uplinkChange.summary,
      by: uplinkChange.by,
      link: uplinkChange.link,
      reason: uplinkChange.reason,
    });
    expect(env.register.filter(f => f.approval)).toHaveLength(1);
    expect(env.verification.history.map(v => v.at)).toEqual(['2026-11-30T09:00:00.000Z', '2026-11-29T09:00:00.000Z']);
    expect(env.verification.historyKept).toBe(true);
    expect(env.changes).toEqual([uplinkChange]);
    expect(withHistory.summary).toMatchObject({ lastAccessChangeAt: uplinkChange.at, flowsWithoutApproval: withHistory.summary.flows - 1 });
    expect(plain.environments[0].changes).toBeNull();
    expect(plain.environments[0].verification).toMatchObject({ history: [], historyKept: false });
  });

  it('refuses an environment the cell is not deployed to, and an unknown cell, naming the choices', () => {
    expect(() => buildEvidencePack(model, DEFAULT_SETTINGS, 'houston', { ...OPTIONS, environments: ['production'] })).toThrow(
      'system:default/houston is not deployed to production; its environments: development',
    );
    expect(() => buildEvidencePack(model, DEFAULT_SETTINGS, 'moon', OPTIONS)).toThrow(
      'no cell moon; cells: deep-space-network, esa-ops, houston, kennedy, orion',
    );
    expect(() => buildEvidenceBundle(model, DEFAULT_SETTINGS, { owner: 'group:nobody' }, OPTIONS)).toThrow(
      /no cell is owned by group:default\/nobody; owners: group:default\/dsn-operations/,
    );
  });

  it('makes a bundle by owner', () => {
    const bundle = buildEvidenceBundle(model, DEFAULT_SETTINGS, { owner: 'houston-flight-ops' }, OPTIONS);
    expect(bundle.scope).toEqual({ owner: 'group:default/houston-flight-ops' });
    expect(bundle.packs.map(p => p.cell.name)).toEqual(['houston']);
  });
});

describe('the evidence pack as Markdown', () => {
  const pack = buildEvidencePack(model, DEFAULT_SETTINGS, 'houston', { ...OPTIONS, history: () => history });
  const md = evidenceMarkdown(pack);

  it('names the cell, the result and every flow of the register with its ends and port', () => {
    expect(md).toMatch(/^# Segmentation evidence: cell houston$/m);
    expect(md).toContain('**Result: PASS**');
    for (const f of pack.environments[0].register) {
      expect(md).toMatch(new RegExp(`^\\| ${f.id} \\| \`${f.from.label}\` \\| \`${f.to.label}\` \\| ${f.port}/TCP \\| HTTP \\|`, 'm'));
    }
    expect(md).toContain('None: the manifests allow exactly what the catalog declares.');
    expect(md).toMatch(/^## What could not be verified here$/m);
    expect(md).toContain('Passthrough TLS');
  });

  it('keeps free text inside its table cell and shows no HTML', () => {
    expect(md).toContain('Voice \\| commands \\<script\\>alert(1)\\</script\\><br>second line');
    expect(md).not.toMatch(/[^\\]<script>/);
    expect(mdText('a|b\r\nc * <d>')).toBe('a\\|b<br>c \\* \\<d\\>');
  });

  it('shows the approval, the history and the change log', () => {
    expect(md).toContain('1 request newly allowed, 2026-11-20T10:00:00.000Z, by user:default/flight-director-on-duty, https://git.example/artemis/pull/42');
    expect(md).toMatch(/^\| 2026-11-29T09:00:00.000Z \| \*\*FAIL\*\* \| 4767 \|/m);
    expect(md).toContain('+ houston/capcom may now POST /uplink on orion/comms-system');
  });

  it('says plainly what a pack without history lacks', () => {
    const bare = evidenceMarkdown(buildEvidencePack(model, DEFAULT_SETTINGS, 'houston', OPTIONS));
    expect(bare).toContain('Not kept here: this pack was made without a verification history');
    expect(bare).toContain('Not available here: this pack was made without a change history');
    expect(bare).toMatch(/!\[Data flows of houston in development\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/);
    const linked = evidenceMarkdown(buildEvidencePack(model, DEFAULT_SETTINGS, 'houston', OPTIONS), {
      diagramLink: (p, e) => `${p.cell.name}.${e.environment}.svg`,
    });
    expect(linked).toContain('![Data flows of houston in development](houston.development.svg)');
  });

  it('renders a bundle with a summary table and every pack', () => {
    const text = bundleMarkdown(buildEvidenceBundle(model, DEFAULT_SETTINGS, { all: true }, OPTIONS));
    expect(text).toMatch(/^# Segmentation evidence: 5 cells, all cells$/m);
    expect(text.match(/^## Segmentation evidence: cell /gm)).toHaveLength(5);
    expect(text).toMatch(/^\| `orion` \| `group:default\/orion-crew-systems` \| pass \|/m);
  });
});
