// What the end-to-end tests share: headless Chromium on a fresh profile, the
// wait for the cells backend's first ingestion, and a failing step's
// screenshot and backend log.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { guestToken, waitFor } from '../../tools/portal.mjs';

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
