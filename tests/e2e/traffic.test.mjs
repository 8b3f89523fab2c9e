// End-to-end: observed traffic on the cells page, as `npm run portal:traffic`
// runs it (tools/traffic-demo.mjs): a real Prometheus (Debian's) holding the
// recorded week of Artemis traffic shifted to end now, the portal reading it,
// and a copy of Artemis with Kennedy in audit. In headless Chromium: the
// overlay draws the observed calls by class (declared-seen, declared-unused,
// undeclared-allowed, denied) with a legend; Kennedy shows the one call that
// enforcing would break, with its layer and policy; clicking the undeclared
// call opens "Allow a call" prefilled, whose review says it breaks nothing
// observed and lets that call through; once it is created, nothing would
// break, and switching Kennedy to enforce leaves nothing that would break.
//
//   node --test tests/e2e/traffic.test.mjs
//   CELLPLANE_SCREENSHOT_DIR=/some/dir node --test tests/e2e/traffic.test.mjs   # keeps the pictures there
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp, freePort, guestToken, startPortal, waitFor } from '../../tools/portal.mjs';
import { launchChromium, withFailureReport } from './browser.mjs';
import { startTrafficDemo } from '../../tools/traffic-demo.mjs';

const SHOTS = process.env.CELLPLANE_SCREENSHOT_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-traffic-shots-'));
const KENNEDY = 'system:default/kennedy';
const PAD = 'component:default/pad-operations';
const LAUNCH = 'component:default/launch-control';
/** The label of the observed edge pad-operations -> launch-control, the call nobody declared. */
const UNDECLARED = '.cells-observed-label[data-class="undeclared-allowed"][aria-label*="kennedy/pad-operations -> kennedy/launch-control HTTP"]';

describe('observed traffic on the cells page', { timeout: 900_000 }, () => {
  let demo;
  let portal;
  let token;
  let dir;
  let context;
  let page;
  const call = async route => {
    const res = await fetch(`${portal.url}/api${route}`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  };
  const rolloutOf = async ref => {
    const { status, body } = await call('/cells/rollout?environment=development');
    assert.equal(status, 200, JSON.stringify(body));
    return body.cells.find(c => c.entityRef === ref);
  };

  before(async () => {
    buildApp({ stdio: 'pipe' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-e2e-traffic-'));
    demo = await startTrafficDemo({ dir });
    portal = await startPortal({ port: await freePort(), extraConfig: [demo.configPath] });
    token = await guestToken(portal.url);
    await waitFor('the cells backend to report 5 cells', async () => (await call('/cells/cells')).body?.items?.length === 5);
    ({ context, page } = await launchChromium(path.join(dir, 'chromium')));
    await page.goto(portal.url);
    await page.getByRole('button', { name: /enter/i }).click();
    await page.getByRole('heading', { name: 'Cellplane Catalog' }).waitFor();
  });

  after(async () => {
    await context?.close();
    await portal?.stop();
    await demo?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const withLogs = withFailureReport({ name: 'traffic', dir: SHOTS, page: () => page, portal: () => portal });

  test(
    'the overlay draws the observed calls by class, with a legend in words, and Kennedy shows what enforcing would break',
    withLogs(async () => {
      const kennedy = await rolloutOf(KENNEDY);
      assert.equal(kennedy.enforcement, 'audit');
      assert.deepEqual(
        kennedy.wouldBreak.map(w => [w.from, w.to, w.layer]),
        [[PAD, LAUNCH, 'L7']],
      );

      await page.goto(`${portal.url}/cells`);
      await page.locator(`.react-flow__node[data-id="${LAUNCH}"]`).waitFor();
      assert.equal(await page.locator('.cells-observed-label').count(), 0, 'the declared grants only, until the overlay is switched on');
      await page.getByRole('button', { name: 'Both calls' }).click();
      await page.locator('.cells-observed-label').first().waitFor({ timeout: 60_000 });
      // The rogue pod tried early in the recorded week: the 7-day window has all four classes.
      await page.getByRole('button', { name: /Observed window/ }).click();
      await page.getByRole('option', { name: '7 d' }).click();
      await page.waitForURL(/window=7d/);
      await page.locator('.cells-observed-label[data-class="denied"]').first().waitFor({ timeout: 60_000 });
      const classes = new Set(await page.locator('.cells-observed-label').evaluateAll(ls => ls.map(l => l.dataset.class)));
      assert.deepEqual([...classes].sort(), ['declared-seen', 'declared-unused', 'denied', 'undeclared-allowed']);
      const legend = await page.getByLabel('observed traffic legend').innerText();
      for (const words of ['✓ declared, seen', '○ declared, unused', '! undeclared, allowed', '✗ denied']) assert.ok(legend.includes(words), legend);
      assert.match(await page.getByLabel('observed calls read').innerText(), /observed edges from prometheus http:\/\/127\.0\.0\.1:\d+/);
      // The undeclared call and the rogue pod's denied attempts, each its own edge.
      const undeclared = page.locator(UNDECLARED);
      assert.equal(await undeclared.count(), 1);
      assert.match(
        await page.locator('.cells-observed-label[data-class="denied"]').first().getAttribute('aria-label'),
        /pod debug-shell in houston -> (houston\/flight-director|orion\/comms-system) TCP/,
      );
      // The count on hover.
      await undeclared.hover();
      assert.match(await undeclared.innerText(), /! undeclared, allowed · \d+ calls/);
      const kennedyNode = page.locator(`.react-flow__node[data-id="${KENNEDY}"]`);
      await kennedyNode.getByText('⚠ 1 observed call would break').waitFor({ timeout: 60_000 });
      await page.locator(`.react-flow__node[data-id="system:default/houston"]`).getByText('✓ nothing observed would break').waitFor();
      await page.screenshot({ path: path.join(SHOTS, 'traffic-ui-overlay-all.png') });
      // Closer: the search zooms to Kennedy, with its undeclared call and its count.
      await page.getByRole('textbox', { name: 'Search nodes' }).fill('kennedy');
      await page.keyboard.press('Enter');
      await page.waitForURL(/selected=system(%3A|:)default(%2F|\/)kennedy/);
      await page.waitForTimeout(1000);
      await page.screenshot({ path: path.join(SHOTS, 'traffic-ui-overlay.png') });
    }),
  );

  test(
    "Kennedy's panel lists the would-break call with its layer, policy and reason",
    withLogs(async () => {
      await page.goto(`${portal.url}/cells?traffic=observed&selected=${encodeURIComponent(KENNEDY)}`);
      await page.getByRole('tab', { name: 'Observed traffic' }).click();
      const list = page.getByLabel('would break in kennedy');
      await list.getByText(/1 observed call would break/).waitFor({ timeout: 60_000 });
      const text = await list.innerText();
      assert.match(text, /Kennedy \(launch\) \(in audit\)/);
      assert.match(text, /kennedy\/pad-operations -> kennedy\/launch-control HTTP: \d+ calls, last /);
      assert.match(text, /denied at L7 by dp-default-kennedy-development-[0-9a-f]+\/launch-control/);
      assert.match(text, /RBAC: access denied/);
      const into = await page.getByLabel('observed calls in', { exact: true }).innerText();
      assert.match(into, /! undeclared, allowed: kennedy\/pad-operations -> kennedy\/launch-control/);
      await page.screenshot({ path: path.join(SHOTS, 'traffic-ui-would-break.png') });
    }),
  );

  test(
    'clicking the undeclared call opens "Allow a call" prefilled; its review breaks nothing; once created nothing would break, and Kennedy enforces with nothing broken',
    withLogs(async () => {
      await page.goto(`${portal.url}/cells?traffic=observed`);
      await page.locator(UNDECLARED).click();
      const edge = page.getByLabel('observed calls of the edge');
      await edge.getByText(/kennedy\/pad-operations -> kennedy\/launch-control/).waitFor();
      await edge.getByRole('link', { name: 'Allow this call' }).click();
      await page.waitForURL(/\/create\/templates\/default\/cellplane-allow-call\?formData=/);
      await page.locator('#root_from').waitFor();
      await waitFor('the caller prefilled', async () => /pad-operations/.test(await page.locator('#root_from').inputValue()), 30_000);
      await waitFor('the target prefilled', async () => /launch.control/i.test(await page.locator('#root_target').inputValue()), 30_000);
      assert.match(await page.locator('#root_target').inputValue(), /http/);
      await page.screenshot({ path: path.join(SHOTS, 'traffic-ui-allow-prefilled.png') });

      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      const observed = page.getByLabel('observed calls it would break');
      await observed.waitFor({ timeout: 60_000 });
      assert.match(await observed.innerText(), /None of the calls observed between .* would break once the cells enforce/);
      // Kennedy audits, so what is applied allows the call either way; what the change mends is the call enforcing would deny.
      await page.getByText('No request changes its verdict in development').waitFor();
      const mended = await page.getByLabel('observed calls it lets through').innerText();
      assert.match(
        mended,
        /pad-operations -> launch-control HTTP \(\d+ calls\): no longer denied at L7 by dp-default-kennedy-development-[0-9a-f]+\/launch-control/,
      );
      await page.screenshot({ path: path.join(SHOTS, 'traffic-ui-allow-review.png') });
      await page.getByRole('button', { name: 'Review' }).click();
      await page.getByRole('button', { name: 'Create' }).click();
      const file = path.join(demo.catalogDir, 'kennedy.yaml');
      await waitFor('the connection in kennedy.yaml', () => /to: launch-control/.test(fs.readFileSync(file, 'utf8').split('name: pad-operations')[1] ?? ''));

      // The catalog picks the file up; the rollout judges the new catalog: nothing would break.
      await waitFor('nothing would break in kennedy', async () => (await rolloutOf(KENNEDY)).wouldBreak.length === 0, 180_000);
      // Switching Kennedy to enforce is a catalog change like any other: the line goes.
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^ {4}# In audit for the traffic demo.*\n {4}enforcement: audit\n/m, ''));
      await waitFor('kennedy enforcing', async () => (await rolloutOf(KENNEDY)).enforcement === 'enforce', 180_000);
      const enforcing = await rolloutOf(KENNEDY);
      assert.deepEqual(enforcing.wouldBreak, []);

      await page.goto(`${portal.url}/cells?traffic=both&selected=${encodeURIComponent(KENNEDY)}`);
      await page.locator(`.react-flow__node[data-id="${KENNEDY}"]`).getByText('✓ nothing observed would break').waitFor({ timeout: 60_000 });
      await page.getByRole('tab', { name: 'Observed traffic' }).click();
      await page
        .getByLabel('would break in kennedy')
        .getByText(/Kennedy \(launch\) \(enforcing\): nothing observed would break/)
        .waitFor();
      // The tab's indicator slides for 300 ms.
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(SHOTS, 'traffic-ui-after-allow.png') });
      console.log(`screenshots: ${SHOTS}`);
    }),
  );
});
