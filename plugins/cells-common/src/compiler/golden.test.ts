import fs from 'node:fs';
import path from 'node:path';
import { ARTEMIS_ENVOY_GATEWAY_GOLDEN_DIR, ARTEMIS_GOLDEN_DIR, compileArtemisGoldens } from '../testing/goldens';

/*
 * The golden files are the compiler's spec for examples/artemis: reviewed by eye
 * once, then any change to them is a change of meaning that a reviewer must see.
 * Regenerate deliberately with UPDATE_GOLDEN=1. golden.locale.test.ts compiles
 * them again under another locale.
 */
describe('golden files for examples/artemis', () => {
  const { problems, files } = compileArtemisGoldens();

  it('compiles without problems', () => {
    expect(problems).toEqual([]);
  });

  if (process.env.UPDATE_GOLDEN) {
    fs.mkdirSync(ARTEMIS_GOLDEN_DIR, { recursive: true });
    for (const file of files) fs.writeFileSync(path.join(ARTEMIS_GOLDEN_DIR, file.name), file.yaml);
  }

  it('has exactly one golden file per cell, and one for the egress namespace', () => {
    expect(fs.readdirSync(ARTEMIS_GOLDEN_DIR).sort()).toEqual(files.map(f => f.name).sort());
  });

  it.each(files.map(f => [f.name, f.yaml] as const))('%s matches its golden file', (name, yaml) => {
    expect(yaml).toBe(fs.readFileSync(path.join(ARTEMIS_GOLDEN_DIR, name), 'utf8'));
  });
});

describe('golden files for examples/artemis with cells.gateway.implementation: envoy-gateway', () => {
  const { problems, files } = compileArtemisGoldens('envoy-gateway');
  const istio = new Map(compileArtemisGoldens('istio').files.map(f => [f.name, f.yaml]));
  const differing = files.filter(f => istio.get(f.name) !== f.yaml);

  it('compiles without problems (the rate limit Istio refuses included)', () => {
    expect(problems).toEqual([]);
  });

  if (process.env.UPDATE_GOLDEN) {
    fs.mkdirSync(ARTEMIS_ENVOY_GATEWAY_GOLDEN_DIR, { recursive: true });
    for (const file of differing) fs.writeFileSync(path.join(ARTEMIS_ENVOY_GATEWAY_GOLDEN_DIR, file.name), file.yaml);
  }

  it('changes only the cell with a public endpoint; every other file is byte for byte the istio one', () => {
    expect(differing.map(f => f.name)).toEqual(['houston.yaml']);
    expect(fs.readdirSync(ARTEMIS_ENVOY_GATEWAY_GOLDEN_DIR).sort()).toEqual(['houston.yaml']);
  });

  it.each(differing.map(f => [f.name, f.yaml] as const))('%s matches its golden file', (name, yaml) => {
    expect(yaml).toBe(fs.readFileSync(path.join(ARTEMIS_ENVOY_GATEWAY_GOLDEN_DIR, name), 'utf8'));
  });
});
