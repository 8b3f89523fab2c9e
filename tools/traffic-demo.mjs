// The observed-traffic demo (`npm run portal:traffic`, tests/e2e/traffic.test.mjs):
// a real Prometheus (Debian's, through tools/traffic-prometheus.js) holding the
// recorded week of Artemis traffic shifted to end now, and a config for the
// portal that reads it, on a copy of the Artemis catalog with Kennedy in audit
// (so "what enforcing would break" is the question the portal answers). The
// templates edit that copy, never examples/artemis.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// Not imported from portal.mjs: it imports this module while it runs as the main module (a cycle that never settles).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { startTrafficPrometheus } = createRequire(import.meta.url)('./traffic-prometheus.js');

/** Kennedy's System with `spec.cell.enforcement: audit`, written into its own file (comments kept). */
export function kennedyInAudit(text) {
  const marker = /^ {2}cell:\n/m;
  if (!marker.test(text)) throw new Error('examples/artemis/kennedy.yaml: no spec.cell to put in audit');
  return text.replace(
    marker,
    match =>
      `${match}    # In audit for the traffic demo: nothing that denies is applied; the cells page shows what enforce would break.\n    enforcement: audit\n`,
  );
}

/**
 * Starts Prometheus and writes the demo's files under `dir` (a new temporary
 * folder by default): `catalog/` (Artemis, Kennedy in audit), `local-catalog/`,
 * `gitops/development/` and `app-config.traffic.yaml`. `stop()` stops
 * Prometheus and removes the folder if this call made it.
 */
export async function startTrafficDemo({ dir } = {}) {
  const own = !dir;
  const base = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-traffic-'));
  const catalogDir = path.join(base, 'catalog');
  const localDir = path.join(base, 'local-catalog');
  fs.cpSync(path.join(root, 'examples/artemis'), catalogDir, { recursive: true });
  const kennedy = path.join(catalogDir, 'kennedy.yaml');
  fs.writeFileSync(kennedy, kennedyInAudit(fs.readFileSync(kennedy, 'utf8')));
  fs.mkdirSync(localDir, { recursive: true });
  fs.copyFileSync(path.join(root, 'examples/local-catalog/README.yaml'), path.join(localDir, 'README.yaml'));
  const prometheus = await startTrafficPrometheus(['--end', 'now']);
  const configPath = path.join(base, 'app-config.traffic.yaml');
  const q = JSON.stringify;
  fs.writeFileSync(
    configPath,
    [
      '# Written by tools/traffic-demo.mjs: the portal on recorded Artemis traffic in a real Prometheus.',
      'cells:',
      '  environments:',
      '    - name: development',
      `      target: { type: directory, path: ${q(path.join(base, 'gitops', 'development'))} }`,
      '  reconcile:',
      '    catalogPollInterval: { seconds: 2 }',
      // The recording is hourly: steps of two hours, twice its interval (finer steps see one sample and count nothing).
      '  traffic:',
      `    sources: [{ type: prometheus, url: ${q(prometheus.url)}, resolution: { hours: 2 } }]`,
      '  scaffolder:',
      '    localPublish:',
      '      enabled: true',
      `      path: ${q(localDir)}`,
      `      editablePaths: [${q(catalogDir)}]`,
      'catalog:',
      '  processingInterval: { seconds: 5 }',
      '  locations:',
      `    - { type: file, target: ${q(path.join(catalogDir, '*.yaml'))} }`,
      `    - { type: file, target: ${q(path.join(root, 'catalog-info.yaml'))} }`,
      `    - { type: file, target: ${q(path.join(root, 'examples/templates/*/template.yaml'))} }`,
      `    - { type: file, target: ${q(path.join(localDir, '*.yaml'))} }`,
      '',
    ].join('\n'),
  );
  return {
    dir: base,
    configPath,
    catalogDir,
    prometheusUrl: prometheus.url,
    stop: async () => {
      await prometheus.stop();
      if (own) fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
