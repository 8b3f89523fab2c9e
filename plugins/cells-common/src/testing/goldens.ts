import path from 'node:path';
import { compileCells } from '../compiler';
import { toYaml } from '../compiler/yaml';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { buildCellModel, modelOptions } from '../validation/catalog';
import { artemisEntities } from './artemis';

/** The compiler's golden files for examples/artemis, one `<cell>.yaml` per cell. */
export const ARTEMIS_GOLDEN_DIR = path.resolve(__dirname, '../compiler/__golden__/artemis');

/** examples/artemis compiled with the default settings: each cell's YAML as its golden file holds it. */
export function compileArtemisGoldens() {
  const { model, problems } = buildCellModel(artemisEntities(), modelOptions(DEFAULT_SETTINGS));
  const result = compileCells(model, DEFAULT_SETTINGS);
  return {
    problems: [...problems, ...result.problems],
    files: [
      ...result.cells.map(cell => ({ name: `${cell.cellName}.yaml`, yaml: toYaml(cell.objects) })),
      // The platform egress namespace (kennedy/weather-station declares api.weather.gov).
      ...result.egress.map(egress => ({ name: `_egress.${egress.environment}.yaml`, yaml: toYaml(egress.objects) })),
    ],
  };
}
