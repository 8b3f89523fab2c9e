// End-to-end: the portal keeps evidence. The real portal (built frontend,
// catalog, cells backend) verifies every cell after the first reconcile and
// on its schedule (here every 30 s); the evidence pack downloaded from a
// cell's page in Chromium holds those stored runs, and the download is in the
// cell's audit trail with the guest as its caller.
//
//   node --test tests/e2e/evidence-store.test.mjs
//   screenshots: /work/notes/s4/evidence-store-*.png (CELLPLANE_SHOTS_DIR to change)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp, freePort, guestToken, root, startPortal, waitFor } from '../../tools/portal.mjs';
import { launchChromium, withFailureReport } from './browser.mjs';

const SHOTS = process.env.CELLPLANE_SHOTS_DIR ?? '/work/notes/s4';
const HOUSTON = 'system:default/houston';

describe('evidence kept by the portal', { timeout: 900_000 }, () => {
  let portal;
  let context;
  let page;
  let dir;
  let token;
  const api = async route => {
    const res = await fetch(`${portal.url}/api/cells${route}`, { headers: { Authorization: `Bearer ${token}` } });
    const body = await res.json();
    if (!res.ok) throw new Error(`${route}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-e2e-evidence-'));
    const catalogDir = path.join(dir, 'catalog');
    fs.cpSync(path.join(root, 'examples/artemis'), catalogDir, { recursive: true });
    const override = path.join(dir, 'app-config.e2e.yaml');
    fs.writeFileSync(
      override,
      [
        'cells:',
        '  environments:',
        '    - name: development',
        `      target: { type: directory, path: ${JSON.stringify(path.join(dir, 'gitops', 'development'))} }`,
        '  reconcile:',
        '    catalogPollInterval: { seconds: 2 }',
        '  compliance:',
        '    verification:',
        '      frequency: PT30S',
        '      retentionDays: 400',
        'catalog:',
        '  processingInterval: { seconds: 5 }',
        '  locations:',
        `    - { type: file, target: ${JSON.stringify(path.join(catalogDir, '*.yaml'))} }`,
        '',
      ].join('\n'),
    );
    buildApp({ stdio: 'pipe' });
    portal = await startPortal({ port: await freePort(), extraConfig: [override] });
    token = await guestToken(portal.url);
    ({ context, page } = await launchChromium(path.join(dir, 'chromium'), { viewport: { width: 1400, height: 900 }, acceptDownloads: true, timeout: 60_000 }));
  });

  after(async () => {
    await context?.close();
    await portal?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const withLogs = withFailureReport({ name: 'cellplane-e2e-evidence', dir: os.tmpdir(), page: () => page, portal: () => portal, logChars: 8000 });

  test(
    "the evidence pack downloaded from houston's page holds the runs stored after the first reconcile and on the schedule",
    withLogs(async () => {
      // After the first pass (trigger change) and at least two scheduled runs: the history accumulates.
      const kept = await waitFor(
        "houston's runs after the first pass and on the schedule",
        async () => {
          const { items } = await api('/cells/default/houston/verifications?environment=development');
          return items.some(r => r.trigger === 'change') && items.filter(r => r.trigger === 'schedule').length >= 2 && items;
        },
        400_000,
      );
      assert.ok(kept.every(r => r.result === 'pass' && r.requestsChecked > 0 && /^[0-9a-f]{64}$/.test(r.manifestsDigest)));

      await page.goto(portal.url);
      await page.getByRole('button', { name: /enter/i }).click();
      await page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: 'Catalog', exact: true }).waitFor();
      // houston's Cell tab.
      await page.goto(`${portal.url}/catalog/default/system/houston/cell`);
      const downloads = page.getByLabel('download evidence');
      await downloads.waitFor();
      await page.getByLabel('compliance summary').scrollIntoViewIfNeeded();
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, 'evidence-store-cell-page.png') });

      const [download] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('button', { name: 'JSON' }).click()]);
      assert.equal(download.suggestedFilename(), 'default.houston.evidence.json');
      const pack = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
      const development = pack.environments.find(e => e.environment === 'development');
      assert.equal(development.verification.historyKept, true);
      // Newest first, and at least every run listed before the download.
      const ats = development.verification.history.map(r => r.at);
      assert.deepEqual([...ats].sort().reverse(), ats);
      for (const run of kept) assert.ok(ats.includes(run.at), `the pack misses the run of ${run.at}`);
      assert.ok(development.verification.history.some(r => r.trigger === 'schedule'));
      assert.ok(development.verification.history.some(r => r.trigger === 'change'));

      // The download is in houston's audit trail, with the guest as its caller.
      const trail = await api('/cells/default/houston/audit');
      const downloaded = trail.items.find(e => e.action === 'report-download' && e.detail?.format === 'json');
      assert.ok(downloaded, JSON.stringify(trail.items));
      assert.equal(downloaded.outcome, 'succeeded');
      assert.equal(downloaded.entityRef, HOUSTON);
      assert.match(downloaded.actor, /^user:[a-z-]+\/guest$/);

      // What the auditor sees, for the report: the kept runs as the portal's API serves them.
      await page.setExtraHTTPHeaders({ Authorization: `Bearer ${token}` });
      await page.goto(`${portal.url}/api/cells/cells/default/houston/verifications?environment=development`);
      await page.screenshot({ path: path.join(SHOTS, 'evidence-store-verifications.png') });
    }),
  );
});
