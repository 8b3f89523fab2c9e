// End-to-end: the cells page of the real portal (built app, real backend with
// the Artemis II example) in headless Chromium: 5 cells and 18 components
// drawn, flight-director's callers in its panel, weather-station's reach
// outside the cluster (api.weather.gov and its database network), the four
// Artemis attacks each denied at L7 with the reason, and capcom's blast radius.
//
//   node --test tests/e2e/cells.test.mjs
//   CELLPLANE_PORTAL_URL=http://localhost:7007 ...   use a running portal (no build, no start)
// Screenshots go to $CELLPLANE_SCREENSHOT_DIR (default: the OS temp dir);
// CELLPLANE_SCREENSHOT=1 also refreshes the READMEs' picture of the page
// (plugins/cells/docs/cells-page.png).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, waitFor } from '../../tools/portal.mjs';
import { openArtemisPortal, withFailureReport } from './browser.mjs';

const SHOTS = process.env.CELLPLANE_SCREENSHOT_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-cells-'));

const ARTEMIS = {
  houston: ['flight-director', 'capcom', 'telemetry-monitor', 'flight-dynamics'],
  orion: ['guidance-nav', 'life-support', 'crew-interface', 'comms-system'],
  'deep-space-network': ['signal-router', 'goldstone', 'madrid', 'canberra'],
  kennedy: ['launch-control', 'ground-systems', 'weather-station', 'pad-operations'],
  'esa-ops': ['service-module-monitor', 'mission-relay'],
};

/**
 * The four attacks of the Artemis demo (shared reference artemis-ii.md), each
 * one preset: the backend's presets cover every operation some caller is
 * granted and every operation an endpoint lists in `operations` (abort and
 * maneuver, which nobody is granted).
 */
const ATTACKS = [
  { name: 'ABORT', rogue: 'houston', target: 'houston/flight-director', method: 'POST', path: '/decision/abort' },
  { name: 'HIJACK NAV', rogue: 'orion', target: 'orion/guidance-nav', method: 'POST', path: '/maneuver' },
  { name: 'STEAL VITALS', rogue: 'orion', target: 'orion/life-support', method: 'GET', path: '/crew/vitals' },
  { name: 'SPOOF ID', rogue: 'orion', target: 'orion/comms-system', method: 'POST', path: '/uplink' },
];

const nodeSel = id => `.react-flow__node[data-id="${id}"]`;

describe('Cells page', { timeout: 600_000 }, () => {
  let session;
  let portal;
  let url;
  let page;

  before(async () => {
    session = await openArtemisPortal();
    ({ url, portal, page } = session);
  });

  after(async () => {
    await session?.close();
  });

  const withLogs = withFailureReport({ name: 'cells', dir: SHOTS, page: () => page, portal: () => portal });

  test(
    'the sidebar leads to /cells, which draws 5 cells and 18 components with their states',
    withLogs(async () => {
      const started = Date.now();
      await page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: 'Cells', exact: true }).click();
      await page.waitForURL(/\/cells/);
      await page.locator(nodeSel('component:default/capcom')).waitFor();
      console.log(`first graph: ${Date.now() - started} ms; layout ran on: ${await page.locator('[data-layout]').getAttribute('data-layout')}`);
      for (const [cell, components] of Object.entries(ARTEMIS)) {
        await page.locator(nodeSel(`system:default/${cell}`)).waitFor();
        for (const c of components) assert.equal(await page.locator(nodeSel(`component:default/${c}`)).count(), 1, c);
      }
      assert.equal(await page.locator('.react-flow__node-cell').count(), 5);
      assert.equal(await page.locator('.react-flow__node-component').count(), 18);
      assert.equal(await page.locator(nodeSel('gateway')).count(), 1);
      // State in words, not colour alone.
      const houston = page.locator(nodeSel('system:default/houston'));
      assert.match(await houston.getByLabel(/^state: /).textContent(), /in sync|pending|drifted|degraded|error|not applied/);
      assert.ok((await page.locator('.react-flow__edge').count()) > 18, 'the allowed calls are drawn');
      await page.screenshot({ path: path.join(SHOTS, 'cells.png') });
    }),
  );

  test(
    "flight-director's panel lists its callers",
    withLogs(async () => {
      await page.locator(nodeSel('component:default/flight-director')).click();
      const panel = page.getByLabel('details of the selected node');
      await panel.getByRole('heading', { name: 'flight-director' }).waitFor();
      const callers = await panel.getByLabel('callers').locator('li').allTextContents();
      assert.ok(
        callers.some(t => t.startsWith('component:default/launch-control on http: POST /decision/go-nogo')),
        callers.join('\n'),
      );
      assert.ok(
        callers.some(t => t.startsWith('the external gateway on http')),
        callers.join('\n'),
      );
      assert.match(page.url(), /selected=component%3Adefault%2Fflight-director/);
      await page.screenshot({ path: path.join(SHOTS, 'flight-director.png') });
    }),
  );

  test(
    'weather-station reaches api.weather.gov and its database network, drawn outside the cells',
    withLogs(async () => {
      const weather = 'component:default/weather-station';
      const host = page.locator(nodeSel('external:api.weather.gov'));
      await host.waitFor();
      assert.match(await host.textContent(), /external host\s*api\.weather\.gov/);
      assert.match(await page.locator(nodeSel('cidr:10.20.8.0/24')).textContent(), /external network\s*10\.20\.8\.0\/24\s*except 10\.20\.8\.0\/28/);
      // Only weather-station declares egress: beside the platform's Prometheus (app-config.yaml), these are the
      // only nodes outside the cells, each with one edge from it.
      assert.equal(await page.locator('.react-flow__node-external').count(), 3);
      // Prometheus scrapes the two components that declare spec.metrics, GET on their metrics path only.
      const prometheus = page.locator(nodeSel('platform:monitoring'));
      assert.match(await prometheus.textContent(), /monitoring/);
      for (const scraped of ['telemetry-monitor', 'flight-dynamics']) {
        const scrape = page.locator(`[data-testid="rf__edge-platform:monitoring->component:default/${scraped}"]`);
        assert.equal(await scrape.count(), 1, `a scrape edge to ${scraped}`);
        assert.match(await scrape.getAttribute('aria-label'), /GET \/metrics/);
      }
      assert.equal(await page.locator('[data-testid^="rf__edge-platform:monitoring->"]').count(), 2);
      const edge = page.locator(`[data-testid="rf__edge-${weather}->external:api.weather.gov"]`);
      assert.equal(await edge.count(), 1, 'an edge from weather-station to api.weather.gov');
      assert.match(await edge.getAttribute('aria-label'), /weather-station -> api\.weather\.gov:443 TLS/);
      assert.equal(await page.locator('[data-testid^="rf__edge-"][data-testid$="->external:api.weather.gov"]').count(), 1);
      await page.locator(nodeSel(weather)).click();
      const panel = page.getByLabel('details of the selected node');
      await panel.getByRole('heading', { name: 'weather-station' }).waitFor();
      const egress = await panel.getByLabel('egress').locator('li').allTextContents();
      assert.deepEqual(egress, ['10.20.8.0/24:5432 TCP (except 10.20.8.0/28)', 'api.weather.gov:443 TLS']);
      await page.screenshot({ path: path.join(SHOTS, 'cells-egress.png') });
      // Kennedy alone (the cell filter fits the view to it): its reach outside is still drawn, readable.
      const pageUrl = page.url();
      await page.goto(`${url}/cells?cell=${encodeURIComponent('system:default/kennedy')}&selected=${encodeURIComponent(weather)}`);
      await page.locator(nodeSel('external:api.weather.gov')).waitFor();
      assert.equal(await page.locator('.react-flow__node-cell').count(), 1);
      assert.equal(await page.locator(`[data-testid="rf__edge-${weather}->external:api.weather.gov"]`).count(), 1);
      await page.screenshot({ path: path.join(SHOTS, 'cells-egress-kennedy.png') });
      console.log(`screenshots: ${path.join(SHOTS, 'cells-egress.png')}, ${path.join(SHOTS, 'cells-egress-kennedy.png')}`);
      await page.goto(pageUrl);
      await page.locator(nodeSel('component:default/capcom')).waitFor();
    }),
  );

  test(
    'the four Artemis attacks are each denied at L7 with the reason, and the unauthenticated abort at the front door',
    withLogs(async () => {
      await page.getByRole('tab', { name: 'Attack simulator' }).click();
      const simulator = page.getByLabel('attack simulator');
      const presets = simulator.getByRole('group', { name: 'attack presets' });
      await presets.getByRole('button').first().waitFor();
      for (const attack of ATTACKS) {
        const title = `rogue pod in ${attack.rogue}: ${attack.method} ${attack.path} on ${attack.target}`;
        const preset = presets.getByRole('button', { name: title, exact: true });
        assert.equal(await preset.count(), 1, `${attack.name}: no preset "${title}"`);
        await preset.click();
        // The verdict names its request, so this waits for this attack's answer, not the previous one's.
        await simulator
          .getByTestId('simulation-request')
          .filter({ hasText: `${attack.method} ${attack.path} from a rogue pod in ${attack.rogue} to ${attack.target}` })
          .waitFor();
        await simulator.getByTestId('simulation-verdict').filter({ hasText: 'Denied at L7' }).waitFor();
        const l7 = simulator.getByLabel('verdict per layer').getByRole('row').filter({ hasText: /^L7/ });
        const reason = await l7.textContent();
        assert.match(reason, /^L7deny.{10,}/, `${attack.name}: ${reason}`);
        const denied = page.locator(nodeSel(`component:default/${attack.target.split('/')[1]}`)).filter({ hasText: 'simulated request denied here' });
        await denied.waitFor();
        await page.screenshot({ path: path.join(SHOTS, `attack-${attack.name.toLowerCase().replace(/\s+/g, '-')}.png`) });
      }
      // Exfiltration: weather-station may reach its declared host, not the cloud metadata address; its own L3/L4 decides.
      const exfiltration = presets.getByRole('button', { name: 'kennedy/weather-station: to the metadata address 169.254.169.254:80', exact: true });
      assert.equal(await exfiltration.count(), 1, 'no exfiltration preset for weather-station');
      await exfiltration.click();
      await simulator
        .getByTestId('simulation-request')
        .filter({ hasText: 'TCP from kennedy/weather-station to 169.254.169.254:80 outside the cluster' })
        .waitFor();
      await simulator.getByTestId('simulation-verdict').filter({ hasText: 'Denied at L3/L4' }).waitFor();
      const l3l4 = await simulator
        .getByLabel('verdict per layer')
        .getByRole('row')
        .filter({ hasText: /^L3\/L4/ })
        .textContent();
      assert.match(l3l4, /^L3\/L4deny.{10,}/, `metadata address: ${l3l4}`);
      // The front door: the internet may not abort the mission. Without a token the gateway's abort stops at edge authentication.
      const abort = presets.getByRole('button', {
        name: 'unauthenticated call through the gateway: POST /decision/abort on houston/flight-director',
        exact: true,
      });
      assert.equal(await abort.count(), 1, 'no unauthenticated-abort preset');
      await abort.click();
      await simulator
        .getByTestId('simulation-request')
        .filter({ hasText: 'POST /decision/abort from the external gateway to houston/flight-director' })
        .waitFor();
      await simulator.getByTestId('simulation-verdict').filter({ hasText: 'Denied at edge-auth' }).waitFor();
      const why = await simulator.getByTestId('simulation-explanation').textContent();
      assert.match(why, /no token; the endpoint requires one from artemis-idp/, `unauthenticated abort: ${why}`);
      await page.screenshot({ path: path.join(SHOTS, 'attack-unauthenticated-abort.png') });
      // Run all: every preset of the Orion rogue pod, none allowed past its grants (its exfiltration attempts included).
      await simulator.getByLabel('Filter attacks').fill('rogue pod in orion');
      await presets.getByRole('button', { name: 'Run all' }).click();
      const table = simulator.getByLabel('all attacks');
      await table.waitFor();
      const rows = await table.locator('tbody tr').allTextContents();
      assert.ok(rows.length > 3, rows.join('\n'));
      for (const row of rows) assert.match(row, /denied(L3\/L4|mTLS|L7)/, row);
    }),
  );

  test(
    "capcom's blast radius reaches exactly the calls it declares",
    withLogs(async () => {
      await page.getByRole('tab', { name: 'Details' }).click();
      await page.locator(nodeSel('component:default/capcom')).click();
      await page.getByRole('button', { name: 'If this is compromised' }).click();
      const blast = page.getByTestId('blast-radius');
      await blast.waitFor();
      const reaches = (await blast.locator('ul').first().locator('li').allTextContents()).sort();
      assert.deepEqual(reaches, [
        'component:default/comms-system http (port 8080): POST /uplink, /uplink/*',
        'component:default/signal-router http (port 8080): GET any path',
      ]);
      const marked = await page
        .locator('.react-flow__node')
        .filter({ hasText: 'reachable from the source' })
        .evaluateAll(ns => ns.map(n => n.getAttribute('data-id')).sort());
      assert.deepEqual(marked, ['component:default/comms-system', 'component:default/signal-router']);
      await page.screenshot({ path: path.join(SHOTS, 'capcom-blast-radius.png') });
      if (process.env.CELLPLANE_SCREENSHOT) {
        const file = path.join(root, 'plugins/cells/docs/cells-page.png');
        await page.screenshot({ path: file });
        console.log(`screenshot: ${file}`);
      }

      // A rogue pod in a cell reaches nothing.
      await page.locator(nodeSel('system:default/orion')).click({ position: { x: 20, y: 10 } });
      await page.getByRole('button', { name: 'Rogue pod in this cell' }).click();
      await blast.filter({ hasText: 'rogue' }).waitFor();
      assert.match(await blast.textContent(), /It may reach nothing/);
    }),
  );

  test(
    'the keyboard moves between nodes and Enter selects one',
    withLogs(async () => {
      await page.getByRole('tab', { name: 'Details' }).click();
      const director = page.locator(nodeSel('component:default/flight-director'));
      await director.focus();
      await page.keyboard.press('ArrowRight');
      const next = await page.evaluate(() => document.activeElement?.getAttribute('data-id'));
      assert.ok(next && next !== 'component:default/flight-director', `focus moved to a node (${next})`);
      assert.equal(await page.locator(nodeSel(next)).count(), 1);
      await page.keyboard.press('ArrowLeft');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-id')), 'component:default/flight-director');
      await page.keyboard.press('Enter');
      await page.getByLabel('details of the selected node').getByRole('heading', { name: 'flight-director' }).waitFor();
      assert.match(page.url(), /selected=component%3Adefault%2Fflight-director/);
    }),
  );

  test(
    "the dark theme (Backstage's own) colours the graph, and states keep their words",
    withLogs(async () => {
      // Backstage's AppThemeApi keeps the chosen theme under localStorage "theme" (what a settings page writes).
      await page.evaluate(() => localStorage.setItem('theme', 'dark'));
      try {
        await page.reload();
        await page.locator(nodeSel('component:default/capcom')).waitFor();
        assert.ok(await page.locator('.react-flow.dark').count(), 'xyflow is in its dark colour mode');
        const background = await page.locator('.react-flow').evaluate(el => getComputedStyle(el).backgroundColor);
        const [r, g, b] = background.match(/\d+/g).map(Number);
        assert.ok(r + g + b < 3 * 100, `a dark canvas (${background})`);
        const houston = page.locator(nodeSel('system:default/houston'));
        assert.match(await houston.getByLabel(/^state: /).textContent(), /in sync|pending|drifted|degraded|error|not applied/);
        await page.screenshot({ path: path.join(SHOTS, 'cells-dark.png') });
      } finally {
        await page.evaluate(() => localStorage.removeItem('theme'));
      }
    }),
  );
});
