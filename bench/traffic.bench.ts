import {
  buildAttributionIndex,
  buildCellModel,
  classifyTraffic,
  DEFAULT_SETTINGS,
  GrantIndex,
  Observation,
  TrafficPeer,
  WindowedAggregator,
} from '@cellplane/cells-common';
import { seededRandom } from '../plugins/cells-common/src/testing/random';
import { syntheticCatalog } from './synthetic';

/**
 * `traffic <components> <observations>`: the synthetic catalog and that many
 * normalised observations spread over 7 days (80% declared calls with
 * operations, 5% undeclared calls between components, 5% calls seen only at
 * cell level (HBONE), 10% denied attempts from unknown pods), then what
 * classifying a window costs: merging the observations into edges, and the
 * classification of every edge and grant. Prints one JSON line.
 */
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

const components = Number(process.argv[2] ?? 5000);
const count = Number(process.argv[3] ?? 1_000_000);
const ENV = 'development';
const DAY = 86_400_000;
const END = Date.parse('2026-11-30T00:00:00Z');

const t0 = process.hrtime.bigint();
const { model } = buildCellModel(syntheticCatalog(components), {
  defaultEnvironments: [ENV],
  knownEnvironments: [ENV],
});
const settings = DEFAULT_SETTINGS;
buildAttributionIndex(model, settings);
const t1 = process.hrtime.bigint();

const peers = new Map(model.components.map(c => [c.ref, { kind: 'component', ref: c.ref, cell: c.cell } as TrafficPeer]));
const componentGrants = model.grants.filter(g => g.caller.kind === 'component');
/** The observations, generated as a source streams them (the same sequence on every call). */
function* observationsOf(): Generator<Observation> {
  const random = seededRandom(7);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  for (let i = 0; i < count; i++) {
    const r = random();
    const time = END - Math.floor(random() * 7 * DAY);
    const base = {
      environment: ENV,
      port: 8080,
      protocol: 'HTTP' as const,
      count: 1 + Math.floor(random() * 5),
      firstSeen: time,
      lastSeen: time,
      seenBy: 'waypoint' as const,
    };
    if (r < 0.8) {
      const g = pick(componentGrants);
      const method = g.methods?.[0] ?? 'GET';
      const path = g.paths?.[0]?.replace('*', 'x') ?? '/';
      yield {
        ...base,
        source: peers.get((g.caller as { ref: string }).ref)!,
        destination: peers.get(g.callee)!,
        method,
        path,
        verdict: { allowed: true, code: 200 },
      };
    } else if (r < 0.85) {
      yield {
        ...base,
        source: peers.get(pick(model.components).ref)!,
        destination: peers.get(pick(model.components).ref)!,
        method: 'GET',
        path: '/',
        verdict: { allowed: true, code: 200 },
      };
    } else if (r < 0.9) {
      const c = pick(model.components);
      yield {
        ...base,
        port: undefined,
        protocol: 'HBONE',
        seenBy: 'cilium',
        source: peers.get(c.ref)!,
        destination: { kind: 'cell', ref: pick(model.cells).ref },
        verdict: { allowed: true },
      };
    } else {
      const cell = pick(model.cells);
      const pod = `debug-${Math.floor(random() * 50)}`;
      yield {
        ...base,
        source: {
          kind: 'workload',
          namespace: `ns-${cell.name}`,
          pod,
          cell: cell.ref,
        },
        destination: peers.get(pick(model.components).ref)!,
        method: 'POST',
        path: '/admin',
        verdict: { allowed: false, code: 403, reason: 'HTTP 403' },
      };
    }
  }
}

// Wall and CPU time per phase; on a shared machine the CPU time is the steadier figure.
function phase<T>(run: () => T): { value: T; ms: number; cpuMs: number } {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(cpu);
  return {
    value,
    ms: ms(wall, process.hrtime.bigint()),
    cpuMs: (used.user + used.system) / 1000,
  };
}

// Generating alone, then generating and merging: the difference is what merging costs.
const generate = phase(() => {
  let calls = 0;
  for (const o of observationsOf()) calls += o.count;
  return calls;
});
const window = { from: END - 7 * DAY, to: END };
const merge = phase(() => {
  const agg = new WindowedAggregator(window);
  for (const o of observationsOf()) agg.add(o);
  return { edges: agg.inWindow.edges(), before: agg.before.edges() };
});
const index = phase(() => new GrantIndex(model, settings, ENV));
const classify = phase(() => classifyTraffic(model, settings, { environment: ENV, window, ...merge.value }, index.value));
const total = {
  ms: merge.ms - generate.ms + index.ms + classify.ms,
  cpuMs: merge.cpuMs - generate.cpuMs + index.cpuMs + classify.cpuMs,
};

console.log(
  JSON.stringify({
    components: model.components.length,
    cells: model.cells.length,
    grants: model.grants.length,
    observations: count,
    calls: generate.value,
    edges: merge.value.edges.length,
    counts: classify.value.counts,
    modelMs: ms(t0, t1),
    generate: { ms: generate.ms, cpuMs: generate.cpuMs },
    merge: { ms: merge.ms - generate.ms, cpuMs: merge.cpuMs - generate.cpuMs },
    grantIndex: { ms: index.ms, cpuMs: index.cpuMs },
    classify: { ms: classify.ms, cpuMs: classify.cpuMs },
    total,
    peakRssMiB: peakRssMiB(),
  }),
);
