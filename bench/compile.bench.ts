import { buildCellModel, compileCells, DEFAULT_SETTINGS, toYaml } from '@cellplane/cells-common';
import { syntheticCatalog } from './synthetic';

/**
 * One size per process, so peak memory is this size's own. Prints one JSON line.
 * `compile.bench.ts <components> [egress]`: with `egress`, every tenth component
 * declares egress (bench/synthetic.ts) and the platform egress namespace's
 * objects are compiled, validated and written too.
 */
const components = Number(process.argv[2]);
const withEgress = process.argv[3] === 'egress';
const entities = syntheticCatalog(components, { egress: withEgress });
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const { model, problems } = buildCellModel(entities, { defaultEnvironments: ['development'] });
const t1 = process.hrtime.bigint();
const { cells, egress, problems: compileProblems } = compileCells(model, DEFAULT_SETTINGS);
const t2 = process.hrtime.bigint();
let bytes = 0;
for (const cell of cells) bytes += toYaml(cell.objects).length;
for (const namespace of egress) bytes += toYaml(namespace.objects).length;
const t3 = process.hrtime.bigint();
const cpu = process.cpuUsage(cpu0);
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
const problem = problems[0] ?? compileProblems[0];
if (problem) throw new Error(`synthetic catalog has problems: ${problem.entityRef} ${problem.field}: ${problem.message}`);
const entries = model.components.flatMap(c => c.egress ?? []);
console.log(
  JSON.stringify({
    components,
    cells: cells.length,
    objects: cells.reduce((n, c) => n + c.objects.length, 0) + egress.reduce((n, e) => n + e.objects.length, 0),
    egressComponents: model.components.filter(c => c.egress?.length).length,
    egressHosts: new Set(entries.flatMap(e => (e.kind === 'host' ? [e.host] : []))).size,
    egressCidrs: entries.filter(e => e.kind === 'cidr').length,
    egressObjects: egress.reduce((n, e) => n + e.objects.length, 0),
    modelMs: ms(t0, t1),
    compileAndValidateMs: ms(t1, t2),
    yamlMs: ms(t2, t3),
    totalMs: ms(t0, t3),
    // CPU time (user + system) beside wall time: the machine is shared.
    totalCpuMs: (cpu.user + cpu.system) / 1000,
    yamlBytes: bytes,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
