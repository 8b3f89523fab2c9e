import fs from 'node:fs';
import path from 'node:path';
import { buildCellModel } from '../validation/catalog';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { artemisEntities } from '../testing/artemis';
import { compileCells } from './index';
import { toYaml } from './yaml';

/*
 * The golden files are the compiler's spec for examples/artemis: reviewed by eye
 * once, then any change to them is a change of meaning that a reviewer must see.
 * Regenerate deliberately with UPDATE_GOLDEN=1.
 */
const GOLDEN_DIR = path.join(__dirname, '__golden__', 'artemis');

describe('golden files for examples/artemis', () => {
  const { model, problems } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });
  const result = compileCells(model, DEFAULT_SETTINGS);

  it('compiles without problems', () => {
    expect(problems).toEqual([]);
    expect(result.problems).toEqual([]);
  });

  if (process.env.UPDATE_GOLDEN) {
    fs.mkdirSync(GOLDEN_DIR, { recursive: true });
    for (const cell of result.cells) {
      fs.writeFileSync(path.join(GOLDEN_DIR, `${cell.cellName}.yaml`), toYaml(cell.objects));
    }
  }

  it('has exactly one golden file per cell', () => {
    expect(fs.readdirSync(GOLDEN_DIR).sort()).toEqual(result.cells.map(c => `${c.cellName}.yaml`).sort());
  });

  it.each(result.cells.map(c => [c.cellName, c] as const))('%s matches its golden file', (name, cell) => {
    expect(toYaml(cell.objects)).toBe(fs.readFileSync(path.join(GOLDEN_DIR, `${name}.yaml`), 'utf8'));
  });
});
