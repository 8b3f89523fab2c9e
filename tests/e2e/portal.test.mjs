// End-to-end: builds the real frontend, starts the real backend (in-memory
// SQLite, the catalog with Cellplane's cell validation, guest auth, app-backend
// serving the built app), opens it in headless Chromium, signs in as guest and
// finds the Artemis II cells and their components in the catalog UI.
//
//   node --test tests/e2e/            (npm run test:e2e)
//   CELLPLANE_SCREENSHOT=1 ...        also writes docs/screenshot.png
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { buildApp, freePort, root, startPortal } from '../../tools/portal.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The Artemis II scenario (docs: shared reference artemis-ii.md): cell -> components. */
const ARTEMIS = {
  houston: ['flight-director', 'capcom', 'telemetry-monitor', 'flight-dynamics'],
  orion: ['guidance-nav', 'life-support', 'crew-interface', 'comms-system'],
  'deep-space-network': ['signal-router', 'goldstone', 'madrid', 'canberra'],
  kennedy: ['launch-control', 'ground-systems', 'weather-station', 'pad-operations'],
  'esa-ops': ['service-module-monitor', 'mission-relay'],
};
const CELLS = Object.keys(ARTEMIS);
const COMPONENTS = Object.values(ARTEMIS).flat();

const entityLink = (page, kind, name) => page.locator(`a[href$="/catalog/default/${kind}/${name}"]`).first();

/** Reloads `url` until every named entity of `kind` is linked on the page. */
async function waitForEntities(page, url, kind, names, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let missing = names;
  for (;;) {
    await page.goto(url);
    // The table renders before its rows; its title gets the count once loaded.
    await page
      .getByText(/^All .*\(\d+\)$/)
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(() => {});
    const present = await Promise.all(names.map(async n => ((await entityLink(page, kind, n).count()) > 0 ? n : undefined)));
    missing = names.filter(n => !present.includes(n));
    if (missing.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`the catalog UI never listed ${kind}s: ${missing.join(', ')}`);
    }
    await page.waitForTimeout(2_000);
  }
}

describe('Cellplane portal', { timeout: 600_000 }, () => {
  let portal;
  let context;
  let page;
  let userDataDir;

  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`);
    const buildMs = buildApp({ stdio: 'pipe' });
    console.log(`app build: ${(buildMs / 1000).toFixed(1)} s`);
    const started = Date.now();
    portal = await startPortal({ port: await freePort() });
    console.log(`backend ready: ${((Date.now() - started) / 1000).toFixed(1)} s at ${portal.url}`);

    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
  });

  after(async () => {
    await context?.close();
    await portal?.stop();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  const withLogs = fn => async () => {
    try {
      await fn();
    } catch (e) {
      const shot = path.join(os.tmpdir(), `cellplane-e2e-failure-${Date.now()}.png`);
      await page?.screenshot({ path: shot }).catch(() => {});
      e.message += `\n(screenshot: ${shot})\n--- backend log (tail) ---\n${portal?.logs().slice(-8000)}`;
      throw e;
    }
  };

  test(
    'a guest signs in',
    withLogs(async () => {
      await page.goto(portal.url);
      await page.getByRole('button', { name: /enter/i }).click();
      const nav = page.getByRole('navigation', { name: 'sidebar nav' });
      await nav.getByRole('link', { name: 'Catalog', exact: true }).waitFor();
      await page.getByRole('heading', { name: 'Cellplane Catalog' }).waitFor();
    }),
  );

  test(
    'the catalog lists the five Artemis cells',
    withLogs(async () => {
      await waitForEntities(page, `${portal.url}/?filters%5Bkind%5D=system`, 'system', CELLS);
      const systems = await page
        .locator('a[href*="/catalog/default/system/"]')
        .evaluateAll(links => [...new Set(links.map(a => a.getAttribute('href').split('/').pop()))]);
      assert.deepEqual([...systems].sort(), [...CELLS].sort());
      await page.getByText(`All Systems (${CELLS.length})`).first().waitFor();
      if (process.env.CELLPLANE_SCREENSHOT) {
        const file = path.join(root, 'docs/screenshot.png');
        fs.mkdirSync(path.dirname(file), { recursive: true });
        await page.screenshot({ path: file });
        console.log(`screenshot: ${file}`);
      }
    }),
  );

  test(
    'the catalog lists the 18 components of the cells',
    withLogs(async () => {
      await waitForEntities(page, `${portal.url}/?filters%5Bkind%5D=component&filters%5Btype%5D=service`, 'component', COMPONENTS);
      assert.equal(COMPONENTS.length, 18);
      await page.getByText('All service Components (18)').first().waitFor();
    }),
  );

  test(
    'a cell page shows its components',
    withLogs(async () => {
      await page.goto(`${portal.url}/catalog/default/system/houston`);
      await page
        .getByRole('heading', { name: /Houston/ })
        .first()
        .waitFor();
      for (const name of ARTEMIS.houston) {
        await entityLink(page, 'component', name).waitFor();
      }
      // a component of another cell is not listed as part of Houston
      assert.equal(await entityLink(page, 'component', 'guidance-nav').count(), 0);
    }),
  );

  test(
    'the team owning a cell shows its members (org plugin)',
    withLogs(async () => {
      await page.goto(`${portal.url}/catalog/default/group/houston-flight-ops`);
      await page.getByText('Flight Director (on duty)').first().waitFor();
      await entityLink(page, 'user', 'capcom-on-duty').waitFor();
    }),
  );
});
