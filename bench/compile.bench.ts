import { buildCellModel, compileCells, DEFAULT_SETTINGS, toYaml } from '@cellplane/cells-common';
import { syntheticCatalog } from './synthetic';

/** One size per process, so peak memory is this size's own. Prints one JSON line. */
const components = Number(process.argv[2]);
const entities = syntheticCatalog(components);
const t0 = process.hrtime.bigint();
const { model, problems } = buildCellModel(entities, { defaultEnvironments: ['development'] });
const t1 = process.hrtime.bigint();
const { cells } = compileCells(model, DEFAULT_SETTINGS);
const t2 = process.hrtime.bigint();
let bytes = 0;
for (const cell of cells) bytes += toYaml(cell.objects).length;
const t3 = process.hrtime.bigint();
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
if (problems.length) throw new Error(`synthetic catalog has problems: ${problems[0].message}`);
console.log(
  JSON.stringify({
    components,
    cells: cells.length,
    objects: cells.reduce((n, c) => n + c.objects.length, 0),
    modelMs: ms(t0, t1),
    compileAndValidateMs: ms(t1, t2),
    yamlMs: ms(t2, t3),
    totalMs: ms(t0, t3),
    yamlBytes: bytes,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
