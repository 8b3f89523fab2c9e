// What the end-to-end tests share: headless Chromium on a fresh profile, the
// wait for the cells backend's first ingestion, and a failing step's
// screenshot and backend log.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { buildApp, freePort, guestToken, startPortal, waitFor } from '../../tools/portal.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium on the profile folder given; its first page waits up to `timeout` per step. */
export async function launchChromium(userDataDir, { viewport = { width: 1600, height: 1000 }, acceptDownloads = false, timeout = 30_000 } = {}) {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads,
    args: CHROMIUM_ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(timeout);
  return { context, page };
}

/** The page draws what the cells backend has compiled: wait until the catalog's first ingestion reached it (every cell in sync). */
export async function waitForCellsInSync(url, count = 5) {
  const token = await guestToken(url);
  await waitFor(`the cells backend to report ${count} cells in sync`, async () => {
    const res = await fetch(`${url}/api/cells/cells`, { headers: { Authorization: `Bearer ${token}` } });
    const body = res.ok ? await res.json() : { items: [] };
    return body.items.length === count && body.items.every(c => c.environments[0]?.state === 'in-sync');
  });
}

/**
 * Wraps a test step: when it fails, the page is saved as `<name>-failure-<time>.png`
 * in `dir`, and the message gains the screenshot's path and the backend log's tail.
 */
export function withFailureReport({ name, dir, page, portal, fullPage = false, logChars = 6000 }) {
  return fn => async () => {
    try {
      await fn();
    } catch (e) {
      const shot = path.join(dir, `${name}-failure-${Date.now()}.png`);
      await page()
        ?.screenshot({ path: shot, fullPage })
        .catch(() => {});
      const log = portal()?.logs().slice(-logChars);
      e.message += `\n(screenshot: ${shot})${log !== undefined ? `\n--- backend log (tail) ---\n${log}` : ''}`;
      throw e;
    }
  };
}

/** Enters the portal as the guest user and waits for the sidebar's link named `link`. */
export async function enterAsGuest(page, link = 'Cells') {
  await page.getByRole('button', { name: /enter/i }).click();
  await page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: link, exact: true }).waitFor();
}

/**
 * The Artemis portal (built and started on a free port, or the one at
 * CELLPLANE_PORTAL_URL), every cell in sync, and Chromium on a fresh profile
 * entered as guest. `close()` stops what this call started; a failure while
 * opening stops it too, so a broken step leaves no portal behind.
 */
export async function openArtemisPortal(chromiumOptions = {}) {
  let portal;
  let context;
  let userDataDir;
  const close = async () => {
    await context?.close();
    await portal?.stop();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  try {
    let url = process.env.CELLPLANE_PORTAL_URL;
    if (!url) {
      buildApp({ stdio: 'pipe' });
      portal = await startPortal({ port: await freePort() });
      url = portal.url;
    }
    await waitForCellsInSync(url);
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-chromium-'));
    let page;
    ({ context, page } = await launchChromium(userDataDir, chromiumOptions));
    await page.goto(url);
    await enterAsGuest(page);
    return { url, portal, context, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}
