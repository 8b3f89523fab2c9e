// End-to-end: the real portal backend (catalog, the cells backend, guest auth)
// reconciles the Artemis catalog into a GitOps folder that matches
// `cellplane render` byte for byte, reports the five cells in sync through
// /api/cells/cells, and picks up an entity edit: a new connection shows in the
// folder and in the history with its access diff.
//
//   node --test tests/e2e/cells-backend.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, guestToken, root, startPortal, waitFor } from '../../tools/portal.mjs';

const CELLS = ['deep-space-network', 'esa-ops', 'houston', 'kennedy', 'orion'];

describe('the cells backend in the portal', { timeout: 600_000 }, () => {
  let portal;
  let token;
  let dir;
  const folder = () => path.join(dir, 'gitops', 'development');
  const catalogDir = () => path.join(dir, 'catalog');
  const api = async (route, init = {}) => {
    const res = await fetch(`${portal.url}/api/cells${route}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`${route}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-e2e-cells-'));
    // A copy of the Artemis catalog this test may edit, and a GitOps folder of its own.
    fs.cpSync(path.join(root, 'examples/artemis'), catalogDir(), { recursive: true });
    const override = path.join(dir, 'app-config.e2e.yaml');
    fs.writeFileSync(
      override,
      [
        'cells:',
        '  environments:',
        '    - name: development',
        `      target: { type: directory, path: ${JSON.stringify(folder())} }`,
        '  reconcile:',
        '    catalogPollInterval: { seconds: 2 }',
        'catalog:',
        '  processingInterval: { seconds: 5 }',
        '  locations:',
        `    - { type: file, target: ${JSON.stringify(path.join(catalogDir(), '*.yaml'))} }`,
        '',
      ].join('\n'),
    );
    portal = await startPortal({ port: await freePort(), extraConfig: [override] });
    token = await guestToken(portal.url);
  });

  after(async () => {
    await portal?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('writes the Artemis GitOps folder as `cellplane render` does, and reports the five cells in sync', async () => {
    const list = await waitFor('five cells in sync', async () => {
      const body = await api('/cells');
      return body.items.length === 5 && body.items.every(c => c.environments[0].state === 'in-sync') && body;
    });
    assert.deepEqual(
      list.items.map(c => c.entityRef),
      CELLS.map(c => `system:default/${c}`),
    );
    const rendered = path.join(dir, 'rendered');
    // With the portal's own settings (app-config.yaml: the example's identity provider shapes houston's front door).
    execFileSync(
      process.execPath,
      [path.join(root, 'packages/cli/bin/cellplane'), 'render', catalogDir(), '--config', path.join(root, 'app-config.yaml'), '--out', rendered],
      {
        stdio: 'pipe',
      },
    );
    // weather-station (kennedy) calls api.weather.gov: the folder holds the platform egress namespace too.
    assert.deepEqual(fs.readdirSync(folder()).sort(), [...CELLS.map(c => `${c}.yaml`), '_egress.yaml', 'kustomization.yaml'].sort());
    const egress = fs.readFileSync(path.join(folder(), '_egress.yaml'), 'utf8');
    assert.match(egress, /^# Managed by Cellplane: the platform egress namespace of environment development\./);
    assert.equal(
      egress.slice(egress.indexOf('\n') + 1),
      fs.readFileSync(path.join(rendered, 'development', '_egress.yaml'), 'utf8'),
      '_egress.yaml differs from cellplane render',
    );
    for (const cell of CELLS) {
      const written = fs.readFileSync(path.join(folder(), `${cell}.yaml`), 'utf8');
      assert.match(written, /^# Managed by Cellplane: cell system:default\//);
      assert.equal(
        written.slice(written.indexOf('\n') + 1),
        fs.readFileSync(path.join(rendered, 'development', `${cell}.yaml`), 'utf8'),
        `${cell}.yaml differs from cellplane render`,
      );
    }
  });

  test('an added connection reaches the folder and the history with its access diff', async () => {
    const file = path.join(catalogDir(), 'kennedy.yaml');
    const before = fs.readFileSync(file, 'utf8');
    // weather-station (kennedy) now also reads houston/telemetry-monitor's /mission/summary.
    const edited = before.replace(
      /(metadata:\n  name: weather-station\n[\s\S]*?spec:\n)/,
      `$1  connections:\n    - { to: telemetry-monitor, endpoint: http, methods: [GET], paths: [/mission/summary] }\n`,
    );
    assert.notEqual(edited, before, 'the test could not find weather-station in kennedy.yaml');
    fs.writeFileSync(file, edited);
    const entry = await waitFor('the history entry of the new connection', async () => {
      const { items } = await api(`/history?entityRef=${encodeURIComponent('system:default/houston')}`);
      // Earlier entries come from the catalog's first ingestion (entities added one location at a time).
      return items.find(
        i => i.cause.kind === 'entity-change' && i.cause.entities.some(e => e.entityRef === 'component:default/weather-station' && e.change === 'updated'),
      );
    });
    assert.ok(
      entry.accessDiff.added.some(a => a.text === 'kennedy/weather-station may now GET /mission/summary on houston/telemetry-monitor'),
      JSON.stringify(entry.accessDiff.added.map(a => a.text)),
    );
    assert.deepEqual(entry.accessDiff.removed, []);
    assert.deepEqual(
      entry.cause.entities.find(e => e.entityRef === 'component:default/weather-station'),
      { entityRef: 'component:default/weather-station', change: 'updated' },
    );
    assert.match(fs.readFileSync(path.join(folder(), 'houston.yaml'), 'utf8'), /\/mission\/summary/);
    const cells = await api('/cells');
    assert.ok(cells.items.every(c => ['in-sync', 'pending'].includes(c.environments[0].state)));
  });
});
