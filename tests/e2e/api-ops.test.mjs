// End-to-end: the operations of flight-director's API entity in the real
// portal (built app, real backend with the Artemis II example, headless
// Chromium). The catalog ingests the API entity flight-director-api without
// errors; the attack simulator offers launch-control's call for an operation
// the API does not declare (DELETE /decision/go-nogo) and the compiled cells
// deny it at L7, while launch-control's declared POST on the same path passes.
//
//   node --test tests/e2e/api-ops.test.mjs
//   CELLPLANE_PORTAL_URL=http://localhost:7007 ...   use a running portal (no build, no start)
// Screenshots go to $CELLPLANE_SCREENSHOT_DIR (default: the OS temp dir).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { guestToken, waitFor } from '../../tools/portal.mjs';
import { openArtemisPortal, withFailureReport } from './browser.mjs';

const SHOTS = process.env.CELLPLANE_SCREENSHOT_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-api-ops-'));
const UNDECLARED =
  'kennedy/launch-control calls an operation api:default/flight-director-api does not declare: DELETE /decision/go-nogo on houston/flight-director';

describe('Operations from the API entity', { timeout: 600_000 }, () => {
  let session;
  let portal;
  let url;
  let token;
  let page;

  before(async () => {
    session = await openArtemisPortal();
    ({ url, portal, page } = session);
    token = await guestToken(url);
  });

  after(async () => {
    await session?.close();
  });

  const withLogs = withFailureReport({ name: 'api-ops', dir: SHOTS, page: () => page, portal: () => portal });

  test(
    'the catalog ingests flight-director-api, provided by flight-director, without processing errors',
    withLogs(async () => {
      const headers = { Authorization: `Bearer ${token}` };
      const entity = await waitFor('the catalog to hold api:default/flight-director-api', async () => {
        const res = await fetch(`${url}/api/catalog/entities/by-name/api/default/flight-director-api`, { headers });
        return res.ok ? res.json() : undefined;
      });
      assert.equal(entity.spec.type, 'openapi');
      assert.ok(entity.relations.some(r => r.type === 'apiProvidedBy' && r.targetRef === 'component:default/flight-director'));
      const director = await (await fetch(`${url}/api/catalog/entities/by-name/component/default/flight-director`, { headers })).json();
      assert.ok(director.relations.some(r => r.type === 'providesApi' && r.targetRef === 'api:default/flight-director-api'));
      // launch-control's call, narrowed to the API's operations, is still a dependsOn relation.
      const launch = await (await fetch(`${url}/api/catalog/entities/by-name/component/default/launch-control`, { headers })).json();
      assert.ok(launch.relations.some(r => r.type === 'dependsOn' && r.targetRef === 'component:default/flight-director'));
      await page.goto(`${url}/catalog/default/api/flight-director-api`);
      await page.getByText('flight-director-api').first().waitFor();
      await page
        .getByText(/The mission dashboard and the flight director/)
        .first()
        .waitFor();
      await page.screenshot({ path: path.join(SHOTS, 'api-ops-api-entity.png') });
    }),
  );

  test(
    "the simulator's undeclared-operation preset is denied at L7; the declared operation on the same path is allowed",
    withLogs(async () => {
      await page.goto(`${url}/cells`);
      await page.locator('.react-flow__node[data-id="component:default/flight-director"]').waitFor();
      await page.getByRole('tab', { name: 'Attack simulator' }).click();
      const simulator = page.getByLabel('attack simulator');
      const presets = simulator.getByRole('group', { name: 'attack presets' });
      await presets.getByRole('button').first().waitFor();
      const preset = presets.getByRole('button', { name: UNDECLARED, exact: true });
      assert.equal(await preset.count(), 1, `no preset "${UNDECLARED}"`);
      await preset.click();
      await simulator
        .getByTestId('simulation-request')
        .filter({ hasText: 'DELETE /decision/go-nogo from kennedy/launch-control to houston/flight-director' })
        .waitFor();
      await simulator.getByTestId('simulation-verdict').filter({ hasText: 'Denied at L7' }).waitFor();
      const l7 = await simulator.getByLabel('verdict per layer').getByRole('row').filter({ hasText: /^L7/ }).textContent();
      assert.match(l7, /^L7deny.{10,}/, l7);
      await page.screenshot({ path: path.join(SHOTS, 'api-ops-undeclared-denied.png') });
      // The same caller and path with the method the API declares (goNoGo) passes: the ceiling, not the caller, decided.
      const res = await fetch(`${url}/api/cells/simulate`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ from: 'kennedy/launch-control', to: 'houston/flight-director', endpoint: 'http', method: 'POST', path: '/decision/go-nogo' }),
      });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).allowed, true);
      console.log(`screenshots: ${SHOTS}`);
    }),
  );
});
