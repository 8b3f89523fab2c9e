import { spawn, ChildProcess } from 'node:child_process';
import path from 'node:path';
import { buildAttributionIndex, buildCellModel, DEFAULT_SETTINGS } from '@cellplane/cells-common';
import { artemisEntities } from '../../__testUtils__/artemis';

const ROOT = path.resolve(__dirname, '../../../../..');
export const ENV = 'development';
export const settings = DEFAULT_SETTINGS;
export const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: [ENV], knownEnvironments: [ENV] });
export const index = buildAttributionIndex(model, settings);
export const HUBBLE_EXPORT = path.join(ROOT, 'examples/artemis-traffic/hubble-flows.jsonl');
export const OPENMETRICS = path.join(ROOT, 'examples/artemis-traffic/istio-metrics.om');
/** The end of the recording (examples/artemis-traffic/generate.ts). */
export const END = Date.parse('2026-11-30T00:00:00Z');
export const HOUR = 3_600_000;

/**
 * Starts Debian's Prometheus loaded with the recorded Artemis traffic
 * (tools/traffic-prometheus.js: promtool backfill, free loopback port).
 */
export async function startPrometheus(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'tools/traffic-prometheus.js')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', d => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', d => {
      out += d;
      const m = /PROMETHEUS_URL=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', code => reject(new Error(`tools/traffic-prometheus.js exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>(resolve => {
        if (child.exitCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
