// End-to-end: the front door on the cells page of the real portal (built app,
// real backend with the Artemis II example and app-config.yaml's artemis-idp)
// in headless Chromium: the gateway's edge and flight-director's panel show its
// public endpoint's authentication, rate limit and operations; the simulator
// sends a token, and the abort through the gateway is allowed with the flight
// director's and denied at the front door with the press observer's; the "New
// service" template offers the configured token providers for a public endpoint.
//
//   node --test tests/e2e/front-door.test.mjs
//   CELLPLANE_PORTAL_URL=http://localhost:7007 ...   use a running portal (no build, no start)
// Screenshots go to $CELLPLANE_SCREENSHOT_DIR (default: the OS temp dir).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, waitFor } from '../../tools/portal.mjs';
import { openArtemisPortal, withFailureReport } from './browser.mjs';

const SHOTS = process.env.CELLPLANE_SCREENSHOT_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-front-door-'));
const DIRECTOR = 'component:default/flight-director';
const token = name => fs.readFileSync(path.join(root, 'examples/artemis-tokens', `${name}.json`), 'utf8');
const nodeSel = id => `.react-flow__node[data-id="${id}"]`;

describe('The front door on the cells page', { timeout: 600_000 }, () => {
  let session;
  let portal;
  let url;
  let page;

  before(async () => {
    session = await openArtemisPortal();
    ({ url, portal, page } = session);
    await page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: 'Cells', exact: true }).click();
    await page.locator(nodeSel(DIRECTOR)).waitFor();
  });

  after(async () => {
    await session?.close();
  });

  const withLogs = withFailureReport({ name: 'front-door', dir: SHOTS, page: () => page, portal: () => portal });

  test(
    "the gateway's edge and flight-director's panel show its authentication, rate limit and operations",
    withLogs(async () => {
      // Houston alone, flight-director selected: the view fits the cell, close enough for edges to keep their labels.
      await page.goto(`${url}/cells?cell=${encodeURIComponent('system:default/houston')}&selected=${encodeURIComponent(DIRECTOR)}`);
      const edge = page.locator(`[data-testid="rf__edge-gateway->${DIRECTOR}"]`);
      await edge.waitFor();
      assert.equal(await edge.count(), 1, 'an edge from the gateway to flight-director');
      await edge.filter({ hasText: 'JWT artemis-idp' }).waitFor();
      assert.match(await edge.textContent(), / · JWT artemis-idp/);
      assert.match(await edge.getAttribute('aria-label'), /front door of component:default\/flight-director:http: authentication: token from artemis-idp/);

      const panel = page.getByLabel('details of the selected node');
      await panel.getByRole('heading', { name: 'flight-director' }).waitFor();
      const door = panel.getByLabel(`front door of ${DIRECTOR}:http`);
      const text = await door.textContent();
      assert.match(text, /Authentication: token from artemis-idp \(audience flight-ops; scope: mission\.control\)/);
      // Artemis runs Istio, which has no rate limit for the gateway (docs/front-door.md): none is declared.
      assert.match(text, /Rate limit: none/);
      assert.match(text, /Operations: GET \/dashboard, POST \/decision\/abort, POST \/decision\/go-nogo/);
      await door.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOTS, 'front-door-panel.png') });

      // The gateway's own panel lists the same front door.
      await page.locator(nodeSel('gateway')).click();
      await panel.getByRole('heading', { name: 'External gateway' }).waitFor();
      assert.match(await panel.getByLabel(`front door of ${DIRECTOR}:http`).textContent(), /token from artemis-idp/);
    }),
  );

  test(
    "with the flight director's token the abort through the gateway is allowed; with the observer's it is denied at the front door",
    withLogs(async () => {
      await page.getByRole('tab', { name: 'Attack simulator' }).click();
      const simulator = page.getByLabel('attack simulator');
      const presets = simulator.getByRole('group', { name: 'attack presets' });
      // The unauthenticated abort fills the form: the gateway, flight-director, POST /decision/abort.
      await presets
        .getByRole('button', { name: 'unauthenticated call through the gateway: POST /decision/abort on houston/flight-director', exact: true })
        .click();
      await simulator.getByTestId('simulation-verdict').filter({ hasText: 'Denied at edge-auth' }).waitFor();
      const layers = simulator.getByLabel('verdict per layer');
      // The per-layer table lists the front door, the layer that decided.
      assert.match(
        await layers
          .getByRole('row')
          .filter({ hasText: /^edge-auth/ })
          .textContent(),
        /^edge-authdenyno-token: no token/,
      );

      await simulator.getByLabel('Token').fill(token('flight-director'));
      await simulator.getByRole('button', { name: 'Simulate' }).click();
      await simulator
        .getByTestId('simulation-request')
        .filter({ hasText: 'POST /decision/abort from the external gateway to houston/flight-director with a token' })
        .waitFor();
      await simulator
        .getByTestId('simulation-verdict')
        .filter({ hasText: /^Allowed/ })
        .waitFor();
      assert.match(
        await layers
          .getByRole('row')
          .filter({ hasText: /^edge-auth/ })
          .textContent(),
        /^edge-authallowauthenticated: a token of artemis-idp/,
      );
      assert.match(await layers.getByRole('row').filter({ hasText: /^L7/ }).textContent(), /^L7allow/);
      await simulator.getByTestId('simulation-verdict').scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOTS, 'front-door-token-allowed.png') });

      await simulator.getByLabel('Token').fill(token('observer'));
      await simulator.getByRole('button', { name: 'Simulate' }).click();
      await simulator.getByTestId('simulation-verdict').filter({ hasText: 'Denied at edge-auth' }).waitFor();
      assert.match(
        await layers
          .getByRole('row')
          .filter({ hasText: /^edge-auth/ })
          .textContent(),
        /^edge-authdenymissing-claim: the token's claim scope does not hold mission\.control/,
      );
      await simulator.getByTestId('simulation-verdict').scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOTS, 'front-door-token-missing-claim.png') });

      // A token the backend cannot read is refused with the field named, not simulated as none.
      await simulator.getByLabel('Token').fill('not a token');
      await simulator.getByRole('button', { name: 'Simulate' }).click();
      await simulator.getByText(/token: neither a JSON object of claims nor a JWT/).waitFor();
      console.log(`screenshots: ${SHOTS}`);
    }),
  );
  test(
    'the "New service" template offers the configured token providers, and none, for a public endpoint',
    withLogs(async () => {
      await page.goto(`${url}/create/templates/default/cellplane-new-service`);
      await page.locator('#root_name').fill('mission-clock');
      await page.locator('#root_cell').fill('houston');
      await page.getByRole('option', { name: /Houston \(Mission Control\)/ }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.locator('#root_endpoints_0_visibility').click();
      await page.getByRole('option', { name: /^public/ }).click();
      // The picker reads cells.gateway.jwtProviders' names from the portal's config (app-config.yaml: artemis-idp).
      await page.locator('#root_endpoints_0_auth').click();
      const options = await page.getByRole('listbox').getByRole('option').allTextContents();
      assert.deepEqual(options, ['token from artemis-idp', 'none: open to anyone']);
      await page.getByRole('option', { name: 'token from artemis-idp' }).click();
      assert.match(await page.locator('#root_endpoints_0_auth').textContent(), /token from artemis-idp/);
      await page.screenshot({ path: path.join(SHOTS, 'front-door-template.png') });
    }),
  );
});
