// End-to-end: the Cellplane templates on the real portal backend (scaffolder,
// catalog, the cells backend, guest auth). As the guest, run "New cell", "New
// service in a cell", "Allow a call", "Allow an external call" and "Remove a
// call" for real with the local publish, then find the results in the catalog,
// in the cells API and in the GitOps folder.
// A refused input fails its task with the field and the fix, and writes nothing.
// In headless Chromium, the create page lists the three templates and a guest
// completes "New service in a cell" through the form with the Cellplane fields
// (cell picker, methods/paths editor refusing a bad pattern as it is typed),
// sees the access diff and the manifests before Create, and creates it; and
// "Allow an external call" through its form: a host outside the cell's ceiling
// is refused before Create naming the ceiling and the fix, the host inside it
// shows what opens, and Create writes it into the component's own file; and
// "Remove a call" through its form with observed traffic from a real Prometheus
// (the recorded Artemis traffic, shifted to end now): the call picked from the
// caller's declared calls, what is no longer allowed, and the warning that the
// call is in use with its observed count, before Create.
//
//   node --test tests/e2e/scaffolder.test.mjs
//   CELLPLANE_SCREENSHOT=1 node --test tests/e2e/scaffolder.test.mjs   # also refreshes docs/scaffolder-review.png
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { buildApp, freePort, guestToken, root, startPortal, waitFor } from '../../tools/portal.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const { startTrafficPrometheus } = createRequire(import.meta.url)('../../tools/traffic-prometheus.js');

// A template change records who made it on the entity it edits (docs/evidence.md): the annotations,
// taken out so the rest of the file can be compared byte for byte.
const CHANGE_ANNOTATIONS = /  annotations:\n    cellplane\.io\/change-by: (\S+)\n    cellplane\.io\/change-link: (\S+)\n    cellplane\.io\/change-id: (\S+)\n/;
const withoutChanges = text => text.replace(new RegExp(CHANGE_ANNOTATIONS.source, 'g'), '');
function withoutChange(text) {
  const m = text.match(CHANGE_ANNOTATIONS);
  return m ? { text: text.replace(m[0], ''), by: m[1], link: m[2], id: m[3] } : { text };
}

describe('the Cellplane templates in the portal', { timeout: 600_000 }, () => {
  let portal;
  let prometheus;
  let token;
  let dir;
  let context;
  let page;
  const catalogDir = () => path.join(dir, 'catalog');
  const localDir = () => path.join(dir, 'local-catalog');
  const folder = () => path.join(dir, 'gitops', 'development');
  const call = async (route, init = {}) => {
    const res = await fetch(`${portal.url}/api${route}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  };
  const entity = async (kind, name) => {
    const { status, body } = await call(`/catalog/entities/by-name/${kind}/default/${name}`);
    return status === 200 ? body : undefined;
  };

  /** Runs a template as the guest; resolves with the finished task and its log. */
  async function runTemplate(name, values) {
    const created = await call('/scaffolder/v2/tasks', { method: 'POST', body: JSON.stringify({ templateRef: `template:default/${name}`, values }) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const task = await waitFor(`task ${name}`, async () => {
      const { body } = await call(`/scaffolder/v2/tasks/${created.body.id}`);
      return ['completed', 'failed', 'cancelled'].includes(body.status) && body;
    });
    const { body: events } = await call(`/scaffolder/v2/tasks/${created.body.id}/events`);
    return { task, log: events.map(e => e.body.message ?? '').join('\n') };
  }

  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`);
    buildApp({ stdio: 'pipe' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-e2e-scaffolder-'));
    // A copy of the Artemis catalog that "Allow a call" may edit, and a local catalog folder of its own.
    fs.cpSync(path.join(root, 'examples/artemis'), catalogDir(), { recursive: true });
    fs.mkdirSync(localDir());
    fs.copyFileSync(path.join(root, 'examples/local-catalog/README.yaml'), path.join(localDir(), 'README.yaml'));
    // Observed traffic for "Remove a call": Istio's metrics of the Artemis story in a real Prometheus.
    prometheus = await startTrafficPrometheus(['--end', 'now']);
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
        // The recording is hourly: steps of two hours, twice its interval (with finer steps increase() sees one sample and counts nothing).
        '  traffic:',
        `    sources: [{ type: prometheus, url: ${JSON.stringify(prometheus.url)}, resolution: { hours: 2 } }]`,
        '  scaffolder:',
        '    localPublish:',
        '      enabled: true',
        `      path: ${JSON.stringify(localDir())}`,
        `      editablePaths: [${JSON.stringify(catalogDir())}]`,
        'catalog:',
        '  processingInterval: { seconds: 5 }',
        '  locations:',
        `    - { type: file, target: ${JSON.stringify(path.join(catalogDir(), '*.yaml'))} }`,
        `    - { type: file, target: ${JSON.stringify(path.join(root, 'examples/templates/*/template.yaml'))} }`,
        `    - { type: file, target: ${JSON.stringify(path.join(localDir(), '*.yaml'))} }`,
        '',
      ].join('\n'),
    );
    portal = await startPortal({ port: await freePort(), extraConfig: [override] });
    token = await guestToken(portal.url);
    context = await chromium.launchPersistentContext(path.join(dir, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
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
    await prometheus?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the five templates and the Cellplane actions are there', async () => {
    const templates = await waitFor('five templates in the catalog', async () => {
      const { body } = await call('/catalog/entities?filter=kind=template');
      return body.length === 5 && body;
    });
    assert.deepEqual(templates.map(t => t.metadata.title).sort(), [
      'Allow a call',
      'Allow an external call',
      'New cell',
      'New service in a cell',
      'Remove a call',
    ]);
    const { body: actions } = await call('/scaffolder/v2/actions');
    const ids = actions.map(a => a.id).filter(id => id.startsWith('cellplane:'));
    assert.deepEqual(ids.sort(), [
      'cellplane:cell:create',
      'cellplane:component:create',
      'cellplane:connection:add',
      'cellplane:connection:remove',
      'cellplane:egress:add',
      'cellplane:preview',
      'cellplane:publish:local',
    ]);
  });

  test('"New service in a cell" publishes a service that reaches the catalog, the cells API and the GitOps folder', async () => {
    await waitFor('the Artemis catalog', () => entity('system', 'houston'));
    const { task, log } = await runTemplate('cellplane-new-service', {
      name: 'mission-clock',
      cell: 'system:default/houston',
      endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' }],
      allowFrom: [{ system: 'system:default/orion', endpoint: 'http', methods: ['GET'], paths: ['/status'] }],
    });
    assert.equal(task.status, 'completed', log);
    assert.match(log, /orion\/guidance-nav may now GET \/status on houston\/mission-clock/);
    assert.ok(fs.existsSync(path.join(localDir(), 'component-mission-clock.yaml')));
    const component = await waitFor('mission-clock in the catalog', () => entity('component', 'mission-clock'));
    assert.equal(component.spec.system, 'system:default/houston');
    const topology = await waitFor('mission-clock in the cells topology', async () => {
      const { body } = await call('/cells/topology');
      return JSON.stringify(body).includes('component:default/mission-clock') && body;
    });
    assert.ok(topology);
    await waitFor('the mission-clock ServiceAccount in the GitOps folder', () => {
      const file = path.join(folder(), 'houston.yaml');
      return fs.existsSync(file) && /kind: ServiceAccount\nmetadata:\n  name: mission-clock/.test(fs.readFileSync(file, 'utf8'));
    });
  });

  test('"New cell" and "Allow a call" publish too; the call is written into the caller\'s own file', async () => {
    const cell = await runTemplate('cellplane-new-cell', { name: 'lunar-gateway', owner: 'group:default/houston-flight-ops' });
    assert.equal(cell.task.status, 'completed', cell.log);
    await waitFor('lunar-gateway in the catalog', () => entity('system', 'lunar-gateway'));

    const houston = fs.readFileSync(path.join(catalogDir(), 'houston.yaml'), 'utf8');
    // The values as the endpoint picker and the methods/paths editor give them.
    const allow = await runTemplate('cellplane-allow-call', {
      from: 'component:default/capcom',
      target: { component: 'component:default/weather-station', endpoint: 'http' },
      access: { methods: ['GET'], paths: ['/conditions'] },
    });
    assert.equal(allow.task.status, 'completed', allow.log);
    assert.match(allow.log, /houston\/capcom may now GET \/conditions on kennedy\/weather-station/);
    const edited = withoutChange(fs.readFileSync(path.join(catalogDir(), 'houston.yaml'), 'utf8'));
    assert.equal(edited.id, allow.task.id);
    assert.match(edited.by, /guest/);
    assert.ok(edited.link.endsWith(`/create/tasks/${allow.task.id}`), edited.link);
    assert.equal(
      edited.text,
      houston.replace(
        '    - { to: signal-router, endpoint: http, methods: [GET] }\n  allowFrom:\n    - { component: flight-director',
        '    - { to: signal-router, endpoint: http, methods: [GET] }\n    - { to: weather-station, endpoint: http, methods: [GET], paths: [/conditions] }\n  allowFrom:\n    - { component: flight-director',
      ),
    );
    await waitFor('the connection in the catalog', async () => (await entity('component', 'capcom'))?.spec.connections.some(c => c.to === 'weather-station'));
  });

  test('"Remove a call" takes the call out of the caller\'s own file, and the catalog follows', async () => {
    await waitFor('the Artemis catalog', () => entity('component', 'pad-operations'));
    const kennedy = fs.readFileSync(path.join(catalogDir(), 'kennedy.yaml'), 'utf8');
    // The value as the connection picker gives it.
    const removed = await runTemplate('cellplane-remove-call', {
      from: 'component:default/pad-operations',
      call: { index: 0, to: 'component:default/weather-station', endpoint: 'http', text: 'default/weather-station · http: GET on /conditions' },
    });
    assert.equal(removed.task.status, 'completed', removed.log);
    assert.match(removed.log, /kennedy\/pad-operations may no longer GET \/conditions on kennedy\/weather-station/);
    const edited = withoutChange(fs.readFileSync(path.join(catalogDir(), 'kennedy.yaml'), 'utf8'));
    assert.equal(edited.id, removed.task.id);
    assert.equal(edited.text, kennedy.replace('  connections:\n    - { to: weather-station, endpoint: http, methods: [GET], paths: [/conditions] }\n', ''));
    await waitFor('the connection gone from the catalog', async () => (await entity('component', 'pad-operations'))?.spec.connections === undefined);
  });

  test('a refused input fails the task with the field and the fix, and publishes nothing', async () => {
    const before = fs.readdirSync(localDir()).sort();
    const { task, log } = await runTemplate('cellplane-new-service', {
      name: 'secret-vault',
      cell: 'system:default/houston',
      endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
      allowFrom: [{ system: 'system:default/orion' }],
    });
    assert.equal(task.status, 'failed');
    assert.match(
      log,
      /spec\.allowFrom\[0\]\.system: endpoint http is visible only inside system:default\/houston.*Fix: make the endpoint organization-visible/s,
    );
    assert.deepEqual(fs.readdirSync(localDir()).sort(), before);
  });

  /** The whole page in one picture, the sidebar as tall as the content (a full-page shot would cut it at the viewport). */
  async function screenshot(file) {
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1400, height: Math.max(900, height) });
    await page.screenshot({ path: file });
    await page.setViewportSize({ width: 1400, height: 900 });
  }

  const withLogs = fn => async () => {
    try {
      await fn();
    } catch (e) {
      const shot = path.join(os.tmpdir(), `cellplane-e2e-scaffolder-failure-${Date.now()}.png`);
      await page?.screenshot({ path: shot }).catch(() => {});
      e.message += `\n(screenshot: ${shot})\n--- backend log (tail) ---\n${portal?.logs().slice(-6000)}`;
      throw e;
    }
  };

  test(
    'in the browser: the create page lists the templates, and "New service in a cell" runs from the form with the Cellplane fields, showing the access diff before Create',
    withLogs(async () => {
      await page.goto(portal.url);
      await page.getByRole('button', { name: /enter/i }).click();
      // Navigating before the sign-in has finished lands on the sign-in page again.
      await page.getByRole('heading', { name: 'Cellplane Catalog' }).waitFor();
      await page.goto(`${portal.url}/create`);
      for (const title of ['New cell', 'New service in a cell', 'Allow a call', 'Allow an external call', 'Remove a call']) {
        await page.getByText(title, { exact: true }).first().waitFor();
      }
      await page.goto(`${portal.url}/create/templates/default/cellplane-new-service`);

      // The service: the cell picker lists the cells the cells backend serves.
      await page.locator('#root_name').fill('countdown-clock');
      await page.locator('#root_cell').fill('houston');
      await page.getByRole('option', { name: /Houston \(Mission Control\)/ }).click();
      assert.equal(await page.locator('#root_cell').inputValue(), 'Houston (Mission Control) · system:default/houston');
      await page.getByRole('button', { name: 'Next' }).click();

      // Endpoints: the default one, made organization-visible so another cell may be granted.
      await page.locator('#root_endpoints_0_visibility').click();
      await page.getByRole('option', { name: /^organization/ }).click();
      await page.getByRole('button', { name: 'Next' }).click();

      // Who may call it: every component of orion (the cell picker again), on one path.
      await page.getByTitle('Add Item').click();
      await page.locator('#root_allowFrom_0_system').fill('orion');
      await page.getByRole('option', { name: /Orion \(spacecraft\)/ }).click();
      const pathInput = page.getByRole('textbox', { name: 'path 1' });
      await pathInput.fill('status');
      // The editor refuses a bad pattern as it is typed, with the core's reason, and the form holds.
      await page.getByText('Refused: "status" does not start with "/"').waitFor();
      await page.getByRole('button', { name: 'Next' }).click();
      await page
        .getByText(/path pattern "status" does not start with "\/"/)
        .first()
        .waitFor();
      await pathInput.fill('/status');
      await page.getByText(/Refused:/).waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Next' }).click();

      // Publish: the local catalog (the default).
      await page.getByRole('button', { name: 'Next' }).click();

      // Review the access: the cells backend's preview of this very component.
      const added = page.getByRole('list', { name: 'newly allowed' });
      await added.waitFor({ timeout: 60_000 });
      const addedText = await added.innerText();
      assert.match(addedText, /orion\/guidance-nav may now \S+ \/status on houston\/countdown-clock/);
      // deep-space-network grants GET to every component of houston: the new one too, and the preview says so.
      assert.match(addedText, /houston\/countdown-clock may now GET \/ on deep-space-network\/signal-router/);
      await page.getByText(/system:default\/houston in namespace \S+: \d+ objects/).waitFor();
      await page.getByRole('button', { name: 'Show the manifests' }).click();
      await page.getByLabel('manifests of system:default/houston').getByText('name: countdown-clock').first().waitFor();
      const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-e2e-scaffolder-shots-'));
      await screenshot(path.join(shots, 'review-access-step.png'));
      assert.ok(!fs.existsSync(path.join(localDir(), 'component-countdown-clock.yaml')), 'nothing is published before Create');

      // The review before Create lists the access diff with the values.
      await page.getByRole('button', { name: 'Review' }).click();
      const create = page.getByRole('button', { name: 'Create' });
      await create.waitFor();
      const review = page.getByRole('table');
      await review.getByRole('cell', { name: 'Newly allowed', exact: true }).waitFor();
      assert.match(await review.innerText(), /orion\/guidance-nav may now \S+ \/status on houston\/countdown-clock/);
      await screenshot(path.join(shots, 'review-step.png'));
      if (process.env.CELLPLANE_SCREENSHOT) fs.copyFileSync(path.join(shots, 'review-step.png'), path.join(root, 'docs/scaffolder-review.png'));
      console.log(`screenshots of the review: ${shots}`);

      await create.click();
      await page.getByText('Access diff').first().waitFor({ timeout: 60_000 });
      await page
        .getByText(/Newly allowed/)
        .first()
        .waitFor();
      assert.ok(fs.existsSync(path.join(localDir(), 'component-countdown-clock.yaml')));
      const written = fs.readFileSync(path.join(localDir(), 'component-countdown-clock.yaml'), 'utf8');
      assert.match(written, /system: system:default\/houston/);
      assert.match(written, /system: system:default\/orion/);
      assert.match(written, /- \/status/);
      await waitFor('countdown-clock in the catalog', () => entity('component', 'countdown-clock'));
    }),
  );

  test(
    'in the browser: "Allow an external call" refuses a host outside the ceiling before Create, then shows and writes the one inside it',
    withLogs(async () => {
      await page.goto(`${portal.url}/create/templates/default/cellplane-allow-egress`);
      // The component: the catalog's entity picker.
      await page.locator('#root_component').fill('launch-control');
      await page
        .getByRole('option', { name: /launch-control/ })
        .first()
        .click();
      await page.getByRole('button', { name: 'Next' }).click();

      // The destination: a host (the default) over TLS on 443 (the defaults), outside kennedy's ceiling.
      await page.locator('#root_host').fill('api.example.com');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Next' }).click();

      // The review step: the cells backend refuses it with the core's message, the ceiling and the fix.
      await page
        .getByText(/api\.example\.com is outside the egress ceiling of system:default\/kennedy \(spec\.cell\.egress\.hosts: api\.weather\.gov\)/)
        .waitFor({ timeout: 60_000 });
      await page
        .getByText(/Fix: ask the owners of system:default\/kennedy to add api\.example\.com to spec\.cell\.egress\.hosts/)
        .first()
        .waitFor();
      const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-e2e-egress-shots-'));
      await screenshot(path.join(shots, 'egress-refused.png'));
      // The refusal holds the form back.
      await page.getByRole('button', { name: 'Review' }).click();
      await page
        .getByText(/outside the egress ceiling/)
        .first()
        .waitFor();
      assert.equal(await page.getByRole('button', { name: 'Create' }).count(), 0, 'no Create while the catalog would refuse the change');

      // Back to the destination: the host the ceiling allows.
      await page.getByRole('button', { name: 'Back' }).click();
      await page.getByRole('button', { name: 'Back' }).click();
      await page.locator('#root_host').fill('api.weather.gov');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      const added = page.getByRole('list', { name: 'newly allowed' });
      await added.waitFor({ timeout: 60_000 });
      assert.match(await added.innerText(), /kennedy\/launch-control may now reach api\.weather\.gov:443 \(TLS\)/);
      await screenshot(path.join(shots, 'egress-review-access.png'));
      if (process.env.CELLPLANE_EGRESS_SHOT) fs.copyFileSync(path.join(shots, 'egress-review-access.png'), process.env.CELLPLANE_EGRESS_SHOT);
      console.log(`screenshots of "Allow an external call": ${shots}`);

      await page.getByRole('button', { name: 'Review' }).click();
      const create = page.getByRole('button', { name: 'Create' });
      await create.waitFor();
      assert.match(await page.getByRole('table').innerText(), /kennedy\/launch-control may now reach api\.weather\.gov:443 \(TLS\)/);
      await create.click();
      await page.getByText('Access diff').first().waitFor({ timeout: 60_000 });
      await waitFor('the egress entry in kennedy.yaml', () =>
        fs.readFileSync(path.join(catalogDir(), 'kennedy.yaml'), 'utf8').includes('  egress:\n    - { host: api.weather.gov, port: 443, protocol: TLS }\n'),
      );
      await waitFor('the egress entry in the catalog', async () => (await entity('component', 'launch-control'))?.spec.egress?.[0]?.host === 'api.weather.gov');
    }),
  );

  test(
    'in the browser: "Remove a call" picks a declared call, shows what is no longer allowed and that the call is in use, before Create',
    withLogs(async () => {
      const before = fs.readFileSync(path.join(catalogDir(), 'kennedy.yaml'), 'utf8');
      await page.goto(`${portal.url}/create/templates/default/cellplane-remove-call`);
      await page.locator('#root_from').fill('launch-control');
      await page
        .getByRole('option', { name: /launch-control/ })
        .first()
        .click();
      // The connection picker offers the caller's declared calls, from the catalog.
      const picker = page.getByRole('textbox', { name: 'Call to remove' });
      await picker.click();
      const options = await page.getByRole('option').allInnerTexts();
      assert.deepEqual(options, [
        'default/flight-director · http: POST on /decision/go-nogo',
        'default/pad-operations · http: GET on /pad/status',
        'default/ground-systems · http: GET on /systems/status',
        'default/weather-station · http: GET on /launch-criteria',
      ]);
      await page.getByRole('option', { name: /pad-operations/ }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Next' }).click();

      const removed = page.getByRole('list', { name: 'no longer allowed' });
      await removed.waitFor({ timeout: 60_000 });
      assert.match(await removed.innerText(), /kennedy\/launch-control may no longer GET \/pad\/status on kennedy\/pad-operations/);
      // The recorded traffic has launch-control reading the pad status: the review says the call is in use, with the count.
      const warning = page.getByLabel('observed traffic');
      await warning.getByText(/launch-control called pad-operations \d+ times? between /).waitFor({ timeout: 60_000 });
      const count = Number(/called pad-operations (\d+) time/.exec(await warning.innerText())[1]);
      assert.ok(count > 0, await warning.innerText());
      const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-e2e-remove-shots-'));
      await screenshot(path.join(shots, 'remove-review-access.png'));
      if (process.env.CELLPLANE_REMOVE_SHOT) fs.copyFileSync(path.join(shots, 'remove-review-access.png'), process.env.CELLPLANE_REMOVE_SHOT);
      console.log(`screenshots of "Remove a call": ${shots}`);

      // The review before Create lists the diff and the warning; nothing is written before Create.
      await page.getByRole('button', { name: 'Review' }).click();
      const create = page.getByRole('button', { name: 'Create' });
      await create.waitFor();
      assert.match(await page.getByRole('table').innerText(), new RegExp(`called pad-operations ${count} time`));
      assert.equal(fs.readFileSync(path.join(catalogDir(), 'kennedy.yaml'), 'utf8'), before);
      await create.click();
      const after = before.replace('    - { to: pad-operations, endpoint: http, methods: [GET], paths: [/pad/status] }\n', '');
      assert.notEqual(after, before);
      await waitFor(
        'the call gone from kennedy.yaml',
        () => withoutChanges(fs.readFileSync(path.join(catalogDir(), 'kennedy.yaml'), 'utf8')) === withoutChanges(after),
      );
      await waitFor('the call gone from the catalog', async () =>
        (await entity('component', 'launch-control'))?.spec.connections.every(c => c.to !== 'pad-operations'),
      );
    }),
  );
});
