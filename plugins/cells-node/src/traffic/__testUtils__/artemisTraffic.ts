import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildAttributionIndex, buildCellModel, DEFAULT_SETTINGS } from '@cellplane/cells-common';

const ROOT = path.resolve(__dirname, '../../../../..');
export const ENV = 'development';

type Entity = Parameters<typeof buildCellModel>[0][number];

/** The repository's examples/artemis catalog, the entities the recordings were made for. */
function artemisEntities(): Entity[] {
  const dir = path.join(ROOT, 'examples/artemis');
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml'))
    .sort()
    .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(d => d.toJS() as Entity));
}
export const settings = DEFAULT_SETTINGS;
export const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: [ENV], knownEnvironments: [ENV] });
export const index = buildAttributionIndex(model, settings);
export const HUBBLE_EXPORT = path.join(ROOT, 'examples/artemis-traffic/hubble-flows.jsonl');
/** The recorded Istio metrics (OpenMetrics text), generated in memory: the same text tools/traffic-prometheus.js loads. */
export function recordedMetrics(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(ROOT, 'examples/artemis-traffic/generate.ts')).istioMetrics();
}
/** The end of the recording (examples/artemis-traffic/generate.ts). */
export const END = Date.parse('2026-11-30T00:00:00Z');
export const HOUR = 3_600_000;

/**
 * Starts Debian's Prometheus loaded with the recorded Artemis traffic
 * (tools/traffic-prometheus.js: promtool backfill, free loopback port).
 */
export function startPrometheus(): Promise<{ url: string; stop: () => Promise<void> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(ROOT, 'tools/traffic-prometheus.js')).startTrafficPrometheus();
}
