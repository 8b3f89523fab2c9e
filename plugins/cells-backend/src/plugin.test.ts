import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { artemisEntities } from './__testUtils__/artemis';
import { eventually } from './__testUtils__/eventually';
import { expectMatchesSpec, startCellsPlugin } from './__testUtils__/pluginHarness';

jest.setTimeout(120_000);

const user = mockCredentials.user.header('user:default/alice');

describe('the cells backend plugin, routes on the real plugin', () => {
  let t: Awaited<ReturnType<typeof startCellsPlugin>>;
  beforeAll(async () => {
    t = await startCellsPlugin();
  });
  afterAll(async () => {
    await t.backend.stop();
  });

  it('GET /cells lists the five Artemis cells in sync, and the folder holds them', async () => {
    const res = await request(t.server).get('/api/cells/cells').set('Authorization', user);
    expect(res.status).toBe(200);
    expectMatchesSpec('/cells', 'get', 200, res.body);
    expect(res.body.items.map((c: any) => [c.entityRef, c.environments[0].state])).toEqual([
      ['system:default/deep-space-network', 'in-sync'],
      ['system:default/esa-ops', 'in-sync'],
      ['system:default/houston', 'in-sync'],
      ['system:default/kennedy', 'in-sync'],
      ['system:default/orion', 'in-sync'],
    ]);
    expect(res.body.items[2].environments[0].target).toEqual({ type: 'directory', path: t.folder });
    expect(fs.readdirSync(t.folder).sort()).toEqual([
      // The platform egress namespace (weather-station calls api.weather.gov), not a cell: the list above leaves it out.
      '_egress.yaml',
      'deep-space-network.yaml',
      'esa-ops.yaml',
      'houston.yaml',
      'kennedy.yaml',
      'kustomization.yaml',
      'orion.yaml',
    ]);
  });

  it('GET /cells/{ns}/{name} returns components, grants, per-object status and compliance', async () => {
    const res = await request(t.server).get('/api/cells/cells/default/houston').set('Authorization', user);
    expect(res.status).toBe(200);
    expectMatchesSpec('/cells/{namespace}/{name}', 'get', 200, res.body);
    expect(res.body.components.map((c: any) => c.name).sort()).toEqual(['capcom', 'flight-director', 'flight-dynamics', 'telemetry-monitor']);
    expect(res.body.environments[0].objects.every((o: any) => o.state === 'in-sync')).toBe(true);
    expect(res.body.compliance).toMatchObject({ components: 4, protectedL3L4: 4, protectedMtls: 4, protectedL7: 4, wildcardPrincipals: 0, violations: 0 });
    expect(res.body.compliance.requestsChecked).toBeGreaterThan(1000);
    const missing = await request(t.server).get('/api/cells/cells/default/apollo').set('Authorization', user);
    expect(missing.status).toBe(404);
  });

  it('GET manifests answers JSON or YAML, and names a bad environment', async () => {
    const json = await request(t.server).get('/api/cells/cells/default/orion/manifests?environment=development').set('Authorization', user);
    expect(json.status).toBe(200);
    expectMatchesSpec('/cells/{namespace}/{name}/manifests', 'get', 200, json.body);
    expect(json.body.items.find((o: any) => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'guidance-nav')).toBeDefined();
    const yaml = await request(t.server)
      .get('/api/cells/cells/default/orion/manifests?environment=development')
      .set('Authorization', user)
      .set('Accept', 'application/yaml');
    expect(yaml.headers['content-type']).toMatch(/application\/yaml/);
    expect(yaml.text).toBe(fs.readFileSync(path.join(t.folder, 'orion.yaml'), 'utf8').split('\n').slice(1).join('\n'));
    const bad = await request(t.server).get('/api/cells/cells/default/orion/manifests?environment=prod').set('Authorization', user);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^environment: unknown environment "prod"/);
    const none = await request(t.server).get('/api/cells/cells/default/orion/manifests').set('Authorization', user);
    expect(none.status).toBe(400);
    expect(none.body.error.message).toBe('environment: required');
  });

  it('GET plan shows nothing to do when in sync', async () => {
    const res = await request(t.server).get('/api/cells/cells/default/kennedy/plan?environment=development').set('Authorization', user);
    expect(res.status).toBe(200);
    expectMatchesSpec('/cells/{namespace}/{name}/plan', 'get', 200, res.body);
    expect(res.body).toMatchObject({ create: [], update: [], prune: [], accessDiff: { added: [], removed: [] } });
    expect(res.body.unchanged).toBeGreaterThan(10);
  });

  it('POST /reconcile starts a run that succeeds; GET /runs/{id} reports it', async () => {
    const res = await request(t.server).post('/api/cells/reconcile').set('Authorization', user).send({ entityRef: 'system:default/houston' });
    expect(res.status).toBe(202);
    expectMatchesSpec('/reconcile', 'post', 202, res.body);
    const run = await eventually(
      'the requested run to finish',
      async () => (await request(t.server).get(`/api/cells/runs/${res.body.runId}`).set('Authorization', user)).body,
      (r: any) => r.state !== 'running',
    );
    expectMatchesSpec('/runs/{runId}', 'get', 200, run);
    expect(run).toMatchObject({ state: 'succeeded', trigger: 'api', requestedBy: 'user:default/alice' });
    expect(run.cells.find((c: any) => c.entityRef === 'system:default/houston')).toMatchObject({ state: 'in-sync', created: 0, updated: 0, pruned: 0 });
    const bad = await request(t.server).post('/api/cells/reconcile').set('Authorization', user).send({ entityRef: 'system:default/houston', force: true });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^force: unknown field/);
    expect((await request(t.server).get('/api/cells/runs/nope').set('Authorization', user)).status).toBe(404);
  });

  it('GET /history pages the first pass newest first', async () => {
    const first = await request(t.server).get('/api/cells/history?limit=2').set('Authorization', user);
    expect(first.status).toBe(200);
    expectMatchesSpec('/history', 'get', 200, first.body);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0].cause).toEqual({ kind: 'startup' });
    const next = await request(t.server)
      .get(`/api/cells/history?limit=10&cursor=${encodeURIComponent(first.body.nextCursor)}`)
      .set('Authorization', user);
    expect(next.body.items).toHaveLength(3);
    const houston = await request(t.server).get('/api/cells/history?entityRef=system:default/houston').set('Authorization', user);
    expect(houston.body.items.map((i: any) => i.entityRef)).toEqual(['system:default/houston']);
    expect((await request(t.server).get('/api/cells/history?limit=0').set('Authorization', user)).body.error.message).toMatch(/^limit:/);
    expect((await request(t.server).get('/api/cells/history?limit=ten').set('Authorization', user)).status).toBe(400);
  });

  it('POST /simulate denies the Artemis rogue-pod attacks at L7 and allows declared calls', async () => {
    const spoof = await request(t.server)
      .post('/api/cells/simulate')
      .set('Authorization', user)
      .send({ from: { rogue: 'orion' }, to: 'orion/comms-system', method: 'POST', path: '/uplink' });
    expect(spoof.status).toBe(200);
    expectMatchesSpec('/simulate', 'post', 200, spoof.body);
    expect(spoof.body).toMatchObject({ allowed: false, decidedBy: 'L7' });
    const capcom = await request(t.server)
      .post('/api/cells/simulate')
      .set('Authorization', user)
      .send({ from: 'houston/capcom', to: 'orion/comms-system', method: 'POST', path: '/uplink' });
    expect(capcom.body.allowed).toBe(true);
    const gateway = await request(t.server)
      .post('/api/cells/simulate')
      .set('Authorization', user)
      .send({ from: { gateway: true }, to: 'houston/flight-director', method: 'GET', path: '/' });
    expect(gateway.status).toBe(200);
    const noTo = await request(t.server).post('/api/cells/simulate').set('Authorization', user).send({ from: 'houston/capcom' });
    expect(noTo.status).toBe(400);
    expect(noTo.body.error.message).toBe('to: give exactly one of to (a component), toHost or toIp (outside the cluster)');
    const badFrom = await request(t.server)
      .post('/api/cells/simulate')
      .set('Authorization', user)
      .send({ from: { rogue: 'mars' }, to: 'orion/comms-system' });
    expect(badFrom.body.error.message).toMatch(/^from.rogue: no cell "mars"/);
    const badTo = await request(t.server).post('/api/cells/simulate').set('Authorization', user).send({ from: 'houston/capcom', to: 'capcom' });
    expect(badTo.body.error.message).toMatch(/^to: no component "capcom"/);
  });

  it('POST /simulate outside the cluster: the declared host allowed, exfiltration denied with its layer, and each exfiltration preset denied', async () => {
    const simulate = (body: object) => request(t.server).post('/api/cells/simulate').set('Authorization', user).send(body);
    const declared = await simulate({ from: 'kennedy/weather-station', toHost: 'api.weather.gov', port: 443 });
    expect(declared.status).toBe(200);
    expectMatchesSpec('/simulate', 'post', 200, declared.body);
    expect(declared.body.allowed).toBe(true);
    expect((await simulate({ from: { rogue: 'kennedy' }, toHost: 'api.weather.gov', port: 443, protocol: 'TLS' })).body).toMatchObject({
      allowed: false,
      decidedBy: 'L7',
    });
    expect((await simulate({ from: 'kennedy/weather-station', toIp: '169.254.169.254', port: 80 })).body).toMatchObject({ allowed: false, decidedBy: 'L3/L4' });
    // Each field of the other kind of request is refused by name.
    for (const [body, message] of [
      [
        { from: 'houston/capcom', to: 'orion/comms-system', toHost: 'api.weather.gov', port: 443 },
        'to: give exactly one of to (a component), toHost or toIp (outside the cluster), not to and toHost',
      ],
      [{ from: 'houston/capcom', toHost: 'api.weather.gov' }, 'port: required with toHost'],
      [
        { from: 'houston/capcom', toIp: '169.254.169.254', port: 80, endpoint: 'http' },
        'endpoint: a destination outside the cluster has no endpoint; give port',
      ],
      [
        { from: 'houston/capcom', toHost: 'api.weather.gov', port: 443, method: 'GET' },
        'method: only an HTTP request has a method and path; set protocol HTTP',
      ],
      [
        { from: 'houston/capcom', to: 'orion/comms-system', port: 8080 },
        "port: only a request outside the cluster (toHost or toIp) takes port; a component's port is its endpoint",
      ],
      [
        { from: { gateway: true }, toHost: 'api.weather.gov', port: 443 },
        'from: the external gateway makes no calls outside the cluster; give a component or { rogue: <cell> }',
      ],
    ] as const) {
      const res = await simulate(body);
      expect([res.status, res.body.error?.message]).toEqual([400, message]);
    }
    // The exfiltration presets, run as the cells page runs them: every one denied, with its deciding layer.
    const attacks = (await request(t.server).get('/api/cells/attacks?limit=500').set('Authorization', user)).body.items;
    const exfiltrations = attacks.filter((p: any) => p.id.startsWith('exfiltrate:'));
    expect(exfiltrations.map((p: any) => p.title)).toContain('kennedy/weather-station: to the metadata address 169.254.169.254:80');
    expect(exfiltrations.map((p: any) => p.title)).toContain('rogue pod in kennedy: to an undeclared host (cellplane-undeclared-probe.example:443)');
    for (const preset of exfiltrations) {
      const res = await simulate(preset.body);
      expect([preset.title, res.status, res.body.allowed, res.body.decidedBy]).toEqual([preset.title, 200, false, 'L3/L4']);
    }
  });

  it('GET /topology draws every cell, component and allowed call; blast radius and attacks come from the analyzer', async () => {
    const res = await request(t.server).get('/api/cells/topology?environment=development').set('Authorization', user);
    expect(res.status).toBe(200);
    expectMatchesSpec('/topology', 'get', 200, res.body);
    expect(res.body.cells).toHaveLength(5);
    expect(res.body.components).toHaveLength(18);
    expect(res.body.components.every((c: any) => c.protection.l3l4 && c.protection.mtls && c.protection.l7)).toBe(true);
    expect(res.body.edges).toContainEqual(
      expect.objectContaining({
        from: 'component:default/capcom',
        to: 'component:default/comms-system',
        methods: ['POST'],
        crossCell: true,
        declaredBy: 'connection',
      }),
    );
    // The gateway reaches flight-director only, for the operations of flight-director-api: one edge per served path.
    const fromGateway = res.body.edges.filter((e: any) => e.from === 'gateway');
    expect(fromGateway.map((e: any) => `${e.to} ${e.methods} ${e.paths}`)).toEqual([
      'component:default/flight-director GET /dashboard',
      'component:default/flight-director GET /decisions/{*}',
      'component:default/flight-director POST /decision/abort',
      'component:default/flight-director POST /decision/go-nogo',
    ]);
    // Outside the cluster: what the analyzer lets weather-station reach, and nothing from anyone else.
    expect(res.body.externals).toEqual([
      { id: 'cidr:10.20.8.0/24', kind: 'cidr', target: '10.20.8.0/24', except: ['10.20.8.0/28'] },
      { id: 'external:api.weather.gov', kind: 'host', target: 'api.weather.gov' },
    ]);
    expect(res.body.egress.map((e: any) => `${e.from} -> ${e.id}:${e.port} ${e.protocol}`)).toEqual([
      'component:default/weather-station -> cidr:10.20.8.0/24:5432 TCP',
      'component:default/weather-station -> external:api.weather.gov:443 TLS',
    ]);
    // The page polls the topology with the ETag it has: nothing changed, nothing is sent again.
    expect(res.headers.etag).toMatch(/^"/);
    const again = await request(t.server).get('/api/cells/topology?environment=development').set('Authorization', user).set('If-None-Match', res.headers.etag);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');

    const blast = await request(t.server).post('/api/cells/blast-radius').set('Authorization', user).send({ from: 'houston/capcom' });
    expect(blast.status).toBe(200);
    expectMatchesSpec('/blast-radius', 'post', 200, blast.body);
    const rogue = await request(t.server)
      .post('/api/cells/blast-radius')
      .set('Authorization', user)
      .send({ from: { rogue: 'houston' } });
    expect(rogue.body.reaches).toEqual([]);
    expect(rogue.body.egress).toEqual([]);
    const weather = await request(t.server).post('/api/cells/blast-radius').set('Authorization', user).send({ from: 'kennedy/weather-station' });
    expectMatchesSpec('/blast-radius', 'post', 200, weather.body);
    expect(weather.body.egress.map((e: any) => `${e.target}:${e.port} ${e.protocol}`)).toEqual(['10.20.8.0/24:5432 TCP', 'api.weather.gov:443 TLS']);

    const attacks = await request(t.server).get('/api/cells/attacks').set('Authorization', user);
    expectMatchesSpec('/attacks', 'get', 200, attacks.body);
    expect(attacks.body.items.length).toBeGreaterThan(4);
    expect(attacks.body.truncated).toBe(false);
    // Narrowed to one rogue pod and one target cell, and cut at a limit.
    const narrowed = await request(t.server).get('/api/cells/attacks?rogue=orion&target=houston').set('Authorization', user);
    expectMatchesSpec('/attacks', 'get', 200, narrowed.body);
    expect(narrowed.body.items.length).toBeGreaterThan(0);
    expect(narrowed.body.items.every((p: any) => p.body.from.rogue === 'orion' && p.body.to.startsWith('houston/'))).toBe(true);
    const cut = await request(t.server).get('/api/cells/attacks?limit=2').set('Authorization', user);
    expect(cut.body).toMatchObject({ truncated: true, items: attacks.body.items.slice(0, 2) });
    const unknown = await request(t.server).get('/api/cells/attacks?rogue=mars').set('Authorization', user);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('rogue: no cell "mars" in environment development');
    const tooMany = await request(t.server).get('/api/cells/attacks?limit=0').set('Authorization', user);
    expect(tooMany.body.error.message).toBe('limit: must be >= 1');
  });

  it('POST /preview shows the objects and the access a proposed entity would produce, and names what the catalog would refuse', async () => {
    const missionClock = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'mission-clock' },
      spec: {
        type: 'service',
        lifecycle: 'experimental',
        owner: 'group:default/houston-flight-ops',
        system: 'system:default/houston',
        endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' }],
        allowFrom: [{ system: 'system:default/orion', methods: ['GET'], paths: ['/status'] }],
      },
    };
    const before = fs.readFileSync(path.join(t.folder, 'houston.yaml'), 'utf8');
    const res = await request(t.server)
      .post('/api/cells/preview')
      .set('Authorization', user)
      .send({ entities: [missionClock] });
    expect(res.status).toBe(200);
    expectMatchesSpec('/preview', 'post', 200, res.body);
    expect(res.body.environment).toBe('development');
    expect(res.body.entities).toEqual(['component:default/mission-clock']);
    expect(res.body.cells.map((c: any) => [c.entityRef, c.exists])).toEqual([['system:default/houston', true]]);
    expect(res.body.cells[0].objects).toContainEqual(
      expect.objectContaining({ kind: 'ServiceAccount', metadata: expect.objectContaining({ name: 'mission-clock' }) }),
    );
    expect(res.body.accessDiff.added.map((a: any) => a.text)).toContain('orion/guidance-nav may now GET /status on houston/mission-clock');
    expect(res.body.accessDiff.removed).toEqual([]);
    // A preview writes nothing.
    expect(fs.readFileSync(path.join(t.folder, 'houston.yaml'), 'utf8')).toBe(before);

    // An edited entity replaces the catalog's: capcom without its first connection loses that access.
    const capcom = artemisEntities().find(e => e.metadata.name === 'capcom')!;
    const fewer = { ...capcom, spec: { ...capcom.spec, connections: (capcom.spec as any).connections.slice(1) } };
    const edited = await request(t.server)
      .post('/api/cells/preview')
      .set('Authorization', user)
      .send({ entities: [fewer], environment: 'development' });
    expect(edited.status).toBe(200);
    expect(edited.body.accessDiff.added).toEqual([]);
    expect(edited.body.accessDiff.removed.map((a: any) => a.text)).toContain('houston/capcom may no longer POST /uplink on orion/comms-system');

    // A new cell: its objects, and it does not exist yet.
    const lunar = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name: 'lunar-gateway' },
      spec: { owner: 'group:default/houston-flight-ops', cell: {} },
    };
    const cell = await request(t.server)
      .post('/api/cells/preview')
      .set('Authorization', user)
      .send({ entities: [lunar] });
    expect(cell.status).toBe(200);
    expectMatchesSpec('/preview', 'post', 200, cell.body);
    expect(cell.body.cells).toEqual([expect.objectContaining({ entityRef: 'system:default/lunar-gateway', exists: false })]);
    expect(cell.body.cells[0].objects.some((o: any) => o.kind === 'Namespace')).toBe(true);

    const bad = async (body: unknown) => {
      const r = await request(t.server)
        .post('/api/cells/preview')
        .set('Authorization', user)
        .send(body as any);
      expect(r.status).toBe(400);
      return r.body.error.message as string;
    };
    expect(await bad({})).toBe('entities: required');
    expect(await bad({ entities: [] })).toBe('entities: must NOT have fewer than 1 items');
    expect(await bad({ entities: [{ ...lunar, metadata: {} }] })).toBe('entities[0].metadata.name: required');
    expect(await bad({ entities: [{ ...lunar, kind: 'Group' }] })).toMatch(/^entities\[0\]\.kind: must be System or Component/);
    expect(await bad({ entities: [lunar, lunar] })).toMatch(/^entities\[1\]: system:default\/lunar-gateway is also entities\[0\]/);
    expect(await bad({ entities: [lunar], environment: 'prod' })).toMatch(/^environment: unknown environment "prod"/);
    expect(await bad({ entities: [lunar], dryRun: true })).toMatch(/^dryRun: unknown field/);
    // What the catalog would refuse: the entity, the field and the fix.
    const vault = {
      ...missionClock,
      metadata: { name: 'vault' },
      spec: { ...missionClock.spec, endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }] },
    };
    expect(await bad({ entities: [vault] })).toMatch(
      /component:default\/vault: spec\.allowFrom\[0\]\.system: endpoint http is visible only inside system:default\/houston.*Fix: make the endpoint organization-visible/,
    );
  });

  it('GET /health needs no credentials', async () => {
    const res = await request(t.server).get('/api/cells/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('the cells backend plugin, access control', () => {
  it('answers 401 without credentials', async () => {
    const t = await startCellsPlugin([mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() })]);
    try {
      for (const route of ['/cells', '/topology', '/history', '/cells/default/houston']) {
        expect((await request(t.server).get(`/api/cells${route}`)).status).toBe(401);
      }
      expect((await request(t.server).post('/api/cells/reconcile').send({})).status).toBe(401);
      expect((await request(t.server).post('/api/cells/preview').send({ entities: [] })).status).toBe(401);
    } finally {
      await t.backend.stop();
    }
  });

  it('answers 403 when the permission policy denies reading manifests or reconciling', async () => {
    // Alice is denied everything; the test's default user (who waits for the first pass) is not,
    // so the test begins once the cells are known, not after a guessed delay.
    const decide = (credentials: any) =>
      (credentials.principal as { userEntityRef?: string }).userEntityRef === 'user:default/alice' ? AuthorizeResult.DENY : AuthorizeResult.ALLOW;
    const permissions = mockServices.permissions.mock({
      authorize: async (requests, { credentials }) => requests.map(() => ({ result: decide(credentials) })) as any,
      authorizeConditional: async (requests, { credentials }) => requests.map(() => ({ result: decide(credentials) })) as any,
    });
    const t = await startCellsPlugin([permissions.factory]);
    try {
      const manifests = await request(t.server).get('/api/cells/cells/default/orion/manifests?environment=development').set('Authorization', user);
      expect(manifests.status).toBe(403);
      expect(manifests.body.error.message).toBe('cells.manifest.read is not allowed on system:default/orion');
      expect((await request(t.server).get('/api/cells/cells/default/orion/plan?environment=development').set('Authorization', user)).status).toBe(403);
      for (const format of ['json', 'md', 'pdf']) {
        const report = await request(t.server).get(`/api/cells/cells/default/orion/report?format=${format}`).set('Authorization', user);
        expect(report.status).toBe(403);
        expect(report.body.error.message).toBe('cells.manifest.read is not allowed on system:default/orion');
      }
      // Refused before looking: an unknown cell is a 403 too, not a 404 that would tell it apart.
      expect((await request(t.server).get('/api/cells/cells/default/apollo/report').set('Authorization', user)).status).toBe(403);
      expect((await request(t.server).post('/api/cells/reconcile').set('Authorization', user).send({ entityRef: 'system:default/orion' })).status).toBe(403);
      expect((await request(t.server).post('/api/cells/reconcile').set('Authorization', user).send({})).status).toBe(403);
      const preview = await request(t.server)
        .post('/api/cells/preview')
        .set('Authorization', user)
        .send({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: 'capcom' },
              spec: {
                type: 'service',
                lifecycle: 'production',
                owner: 'group:default/houston-flight-ops',
                system: 'houston',
                endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
              },
            },
          ],
        });
      expect(preview.status).toBe(403);
      expect(preview.body.error.message).toBe('cells.manifest.read is not allowed on system:default/houston');
      // Lists and the topology leave out what may not be read, instead of failing.
      const list = await request(t.server).get('/api/cells/cells').set('Authorization', user);
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([]);
      const topology = await request(t.server).get('/api/cells/topology').set('Authorization', user);
      expect(topology.status).toBe(200);
      expect(topology.body).toMatchObject({ cells: [], components: [], edges: [], externals: [], egress: [] });
      for (const route of ['/cells/default/orion', '/history?entityRef=system:default/orion']) {
        expect((await request(t.server).get(`/api/cells${route}`).set('Authorization', user)).status).toBe(403);
      }
      expect(
        (await request(t.server).post('/api/cells/simulate').set('Authorization', user).send({ from: 'houston/capcom', to: 'orion/comms-system' })).status,
      ).toBe(403);
      expect(
        (
          await request(t.server)
            .post('/api/cells/blast-radius')
            .set('Authorization', user)
            .send({ from: { rogue: 'orion' } })
        ).status,
      ).toBe(403);
      expect((await request(t.server).get('/api/cells/attacks').set('Authorization', user)).body.items).toEqual([]);
    } finally {
      await t.backend.stop();
    }
  });
});
