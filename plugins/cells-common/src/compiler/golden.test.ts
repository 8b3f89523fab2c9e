import fs from 'node:fs';
import path from 'node:path';
import { ARTEMIS_GOLDEN_DIR, compileArtemisGoldens } from '../testing/goldens';

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
