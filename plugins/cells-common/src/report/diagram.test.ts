import fs from 'node:fs';
import path from 'node:path';
import { buildCellModel } from '../validation/catalog';
import { compileCells, KubeObject } from '../compiler';
import { artemisEntities, artemisSettings } from '../testing/artemis';
import { buildEvidencePack } from './pack';
import { dataFlowDiagram } from './diagram';

// The Artemis example's platform: its identity provider keeps flight-director's public route open to tokens.
const SETTINGS = artemisSettings();
const OPTIONS = { generatedAt: '2026-12-01T09:00:00.000Z', version: '0.1.0' };
const GOLDEN = path.join(__dirname, '__golden__', 'houston.development.svg');
const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });

/** Every element closed, in order (the diagram writes no self-nesting shorthand but `/>`). */
function wellFormed(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]);
  }
  return stack.length === 0;
}

describe('the data-flow diagram', () => {
  const pack = buildEvidencePack(model, SETTINGS, 'houston', OPTIONS);
  const env = pack.environments[0];
  const svg = env.diagram.svg;

  it('is the reviewed golden file, byte for byte', () => {
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(GOLDEN, svg);
    expect(svg).toBe(fs.readFileSync(GOLDEN, 'utf8'));
  });

  it('is well-formed SVG that labels every flow of the register and draws every party', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" ')).toBe(true);
    expect(wellFormed(svg)).toBe(true);
    for (const f of env.register) expect(svg).toMatch(new RegExp(`>(F\\d+,)*${f.id}(,F\\d+)* `));
    for (const name of [
      'flight-director',
      'capcom',
      'telemetry-monitor',
      'flight-dynamics',
      'comms-system',
      'signal-router',
      'launch-control',
      'madrid',
      'mission-relay',
      'external gateway',
    ]) {
      expect(svg).toContain(`>${name}</text>`);
    }
    // launch-control calls in and is called: once on each side.
    expect(svg.match(/>launch-control<\/text>/g)).toHaveLength(2);
    expect(svg).not.toContain('stroke-dasharray="6 4"');
  });

  it('uses whole pixels only, so no machine rounds differently', () => {
    // The only fraction is the lines' stroke width.
    expect(new Set(svg.match(/\d+\.\d+/g))).toEqual(new Set(['1.5']));
  });

  it('draws flows decided otherwise than declared dashed and red', () => {
    const objects = compileCells(model, SETTINGS).cells.flatMap(c => c.objects);
    const widened = JSON.parse(JSON.stringify(objects)) as KubeObject[];
    delete (widened.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'comms-system') as any).spec.rules[2].to;
    const red = buildEvidencePack(model, SETTINGS, 'houston', { ...OPTIONS, objects: { development: widened } }).environments[0];
    expect(red.diagram.svg.match(/stroke="#b91c1c" stroke-width="1.5" stroke-dasharray="6 4"/g)).toHaveLength(2);
    expect(red.diagram.svg).toMatch(/>F\d+ 8080 POST \+undeclared</);
  });

  it('draws a cell without flows', () => {
    const lonely = dataFlowDiagram({
      cellName: 'lonely',
      environment: 'development',
      namespace: 'lonely-dev',
      components: [{ name: 'app', endpoints: [] }],
      register: [],
    });
    expect(wellFormed(lonely)).toBe(true);
    expect(lonely).toContain('>app</text>');
    expect(lonely).toContain('0 allowed flows');
  });
});
