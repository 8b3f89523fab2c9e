import fs from 'node:fs';
import path from 'node:path';
import { compileCells } from '..';
import { toYaml } from '../yaml';
import { buildCellModel, modelOptions } from '../../validation/catalog';
import { platformCatalog, platformCatalogSettings } from '../../testing/platform';

const GOLDEN_DIR = path.resolve(__dirname, '../__golden__/platform');

/*
 * The compiler's spec for platform services: a catalog whose components are
 * scraped and call an OpenTelemetry collector and the API server, compiled for
 * a Kubernetes NetworkPolicy environment and a Cilium one, with the mesh and
 * without. Regenerate deliberately with UPDATE_GOLDEN=1.
 */
describe('golden files for platform services', () => {
  const problems: unknown[] = [];
  const files = [true, false].flatMap(mesh => {
    const settings = platformCatalogSettings(mesh);
    const built = buildCellModel(platformCatalog(), modelOptions(settings));
    const result = compileCells(built.model, settings);
    problems.push(...built.problems, ...result.problems);
    return result.cells.map(c => ({ name: `${c.cellName}.${c.environment}${mesh ? '' : '.no-mesh'}.yaml`, yaml: toYaml(c.objects) }));
  });

  if (process.env.UPDATE_GOLDEN) {
    fs.mkdirSync(GOLDEN_DIR, { recursive: true });
    for (const file of files) fs.writeFileSync(path.join(GOLDEN_DIR, file.name), file.yaml);
  }

  it('compiles without problems, with the mesh and without', () => {
    expect(problems).toEqual([]);
  });

  it('has exactly one golden file per cell, environment and mesh setting', () => {
    expect(fs.readdirSync(GOLDEN_DIR).sort()).toEqual(files.map(f => f.name).sort());
  });

  it.each(files.map(f => [f.name, f.yaml] as const))('%s matches its golden file', (name, yaml) => {
    expect(yaml).toBe(fs.readFileSync(path.join(GOLDEN_DIR, name), 'utf8'));
  });
});
