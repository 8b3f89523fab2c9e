import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { compileCells } from '@cellplane/cells-common';
import { artemisEntities } from './__testUtils__/artemis';
import { ChangingCatalog } from './__testUtils__/catalog';
import { CatalogCellSource } from './catalog/CatalogCellSource';
import { readCellsBackendConfig } from './config';
import { CellsReconciler } from './reconciler/CellsReconciler';
import { createRouter } from './router';
import { CompileCells } from './service/analysis';
import { DefaultCellsService } from './service/DefaultCellsService';
import { DatabaseCellsStore } from './storage';
import { DirectoryTarget } from './targets/directory';

/**
 * One cell's problem never turns into a 500 for the others: the real router,
 * service, store and reconciler (over a directory target) behind HTTP, with
 * the Artemis catalog and one cell that cannot be compiled or analysed.
 */
jest.setTimeout(120_000);

const houston = 'system:default/houston';

/** The core's compiler, except that it throws whenever it is asked to compile houston. */
const failingForHouston: CompileCells = (model, settings, options) => {
  if (!options?.cells || options.cells.has(houston)) throw new Error('injected: houston does not compile');
  return compileCells(model, settings, options);
};

async function start(options: { compile?: CompileCells; extra?: Entity[] }) {
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-isolation-')), 'development');
  const catalog = new ChangingCatalog([...artemisEntities(), ...(options.extra ?? [])]);
  const plugin = createBackendPlugin({
    pluginId: 'cells',
    register(reg) {
      reg.registerInit({
        deps: {
          database: coreServices.database,
          logger: coreServices.logger,
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
          permissions: coreServices.permissions,
        },
        async init({ database, logger, httpRouter, httpAuth, permissions }) {
          const config = readCellsBackendConfig(
            new ConfigReader({ cells: { environments: [{ name: 'development', target: { type: 'directory', path: folder } }] } }),
          );
          const store = await DatabaseCellsStore.create({ database });
          const targets = new Map([['development', new DirectoryTarget({ path: folder, commit: false, environment: 'development', logger })]]);
          const reconciler = new CellsReconciler({
            source: new CatalogCellSource({ catalog: catalog.service, auth: mockServices.auth() }),
            config,
            targets,
            store,
            logger,
          });
          await reconciler.syncCatalog();
          const service = new DefaultCellsService({ reconciler, store, config, targets, requestRun: async () => 'unused', compile: options.compile });
          httpRouter.use(await createRouter({ service, httpAuth, permissions, logger }));
        },
      });
    },
  });
  const backend = await startTestBackend({ features: [plugin] });
  return { backend, server: backend.server };
}

const user = mockCredentials.user.header('user:default/alice');
const clock = (system: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'mission-clock' },
  spec: {
    type: 'service',
    lifecycle: 'experimental',
    owner: 'group:default/orion-crew-systems',
    system,
    endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' }],
  },
});

describe('a cell that cannot be compiled, behind the real router', () => {
  let t: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    t = await start({ compile: failingForHouston });
  });
  afterAll(async () => {
    await t.backend.stop();
  });
  const get = (route: string) => request(t.server).get(`/api/cells${route}`).set('Authorization', user);
  const post = (route: string, body: object) => request(t.server).post(`/api/cells${route}`).set('Authorization', user).send(body);

  it('GET /topology draws every cell, says why houston is not analysed, and draws none of its calls', async () => {
    const res = await get('/topology');
    expect(res.status).toBe(200);
    expect(res.body.cells).toHaveLength(5);
    const byRef = new Map(res.body.cells.map((c: any) => [c.entityRef, c]));
    expect((byRef.get(houston) as any).failure).toBe('cannot be compiled: injected: houston does not compile');
    expect([...byRef.values()].filter((c: any) => c.failure)).toHaveLength(1);
    const houstonComponents = new Set(res.body.components.filter((c: any) => c.cell === houston).map((c: any) => c.entityRef));
    expect(houstonComponents.size).toBe(4);
    expect(res.body.components.filter((c: any) => houstonComponents.has(c.entityRef)).every((c: any) => !c.protection.l3l4 && !c.protection.l7)).toBe(true);
    expect(res.body.edges.some((e: any) => houstonComponents.has(e.from) || houstonComponents.has(e.to))).toBe(false);
    // The others are analysed as usual.
    expect(
      res.body.components.filter((c: any) => c.cell === 'system:default/orion').every((c: any) => c.protection.l3l4 && c.protection.mtls && c.protection.l7),
    ).toBe(true);
    expect(res.body.edges.length).toBeGreaterThan(0);
  });

  it('GET /cells/{ns}/{name} answers every cell; houston says it cannot be analysed', async () => {
    const orion = await get('/cells/default/orion');
    expect(orion.status).toBe(200);
    expect(orion.body.failure).toBeUndefined();
    expect(orion.body.compliance.protectedL7).toBeGreaterThan(0);
    const res = await get('/cells/default/houston');
    expect(res.status).toBe(200);
    expect(res.body.failure).toBe('cannot be compiled: injected: houston does not compile');
    expect(res.body.compliance).toMatchObject({ components: 4, protectedL3L4: 0, protectedL7: 0, requestsChecked: 0 });
  });

  it('POST /blast-radius answers for other cells, names houston, and refuses houston itself with 409', async () => {
    const res = await post('/blast-radius', { from: 'orion/guidance-nav' });
    expect(res.status).toBe(200);
    expect(res.body.failures).toEqual([{ entityRef: houston, message: 'cannot be compiled: injected: houston does not compile' }]);
    expect(
      [...res.body.reaches, ...res.body.reachedBy].some((r: any) =>
        ['capcom', 'flight-director', 'flight-dynamics', 'telemetry-monitor'].some(n => r.component === `component:default/${n}`),
      ),
    ).toBe(false);
    const own = await post('/blast-radius', { from: 'houston/capcom' });
    expect(own.status).toBe(409);
    expect(own.body.error).toEqual({
      name: 'ConflictError',
      message: `${houston} cannot be compiled: injected: houston does not compile (in development); fix its entities first`,
    });
  });

  it('POST /simulate, GET /attacks and POST /preview answer about the other cells', async () => {
    expect((await post('/simulate', { from: { rogue: 'orion' }, to: 'orion/comms-system', method: 'POST', path: '/uplink' })).body).toMatchObject({
      allowed: false,
      decidedBy: 'L7',
    });
    expect((await post('/simulate', { from: 'houston/capcom', to: 'orion/comms-system' })).status).toBe(409);
    const attacks = await get('/attacks?limit=5000');
    expect(attacks.status).toBe(200);
    expect(attacks.body.items.length).toBeGreaterThan(0);
    const fromOrTo = (a: any) => [a.body.from.rogue ?? a.body.from, a.body.to ?? ''];
    expect(attacks.body.items.some((a: any) => fromOrTo(a)[0] === 'houston' || fromOrTo(a).some((x: string) => x.startsWith('houston/')))).toBe(false);
    expect(attacks.body.failures).toEqual([expect.objectContaining({ entityRef: houston })]);
    const preview = await post('/preview', { entities: [clock('orion')] });
    expect(preview.status).toBe(200);
    expect(preview.body.cells.map((c: any) => c.entityRef)).toEqual(['system:default/orion']);
    expect((await get('/cells')).status).toBe(200);
  });
});

describe('a hostile entity in the catalog (a component named like the cell-wide deny policy)', () => {
  let t: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    const squatter = { ...clock('houston'), metadata: { name: 'default-deny' } };
    t = await start({ extra: [squatter as Entity] });
  });
  afterAll(async () => {
    await t.backend.stop();
  });

  it('leaves every route answering about the other cells, never with a 500', async () => {
    const routes: [string, () => request.Test][] = [
      ['topology', () => request(t.server).get('/api/cells/topology')],
      ['orion', () => request(t.server).get('/api/cells/cells/default/orion')],
      ['houston', () => request(t.server).get('/api/cells/cells/default/houston')],
      ['blast radius', () => request(t.server).post('/api/cells/blast-radius').send({ from: 'orion/guidance-nav' })],
      [
        'simulate',
        () =>
          request(t.server)
            .post('/api/cells/simulate')
            .send({ from: { rogue: 'orion' }, to: 'orion/comms-system', method: 'POST', path: '/uplink' }),
      ],
      ['attacks', () => request(t.server).get('/api/cells/attacks')],
      [
        'preview',
        () =>
          request(t.server)
            .post('/api/cells/preview')
            .send({ entities: [clock('orion')] }),
      ],
    ];
    for (const [what, send] of routes) {
      const res = await send().set('Authorization', user);
      expect([what, res.status < 500]).toEqual([what, true]);
    }
    const topology = (await request(t.server).get('/api/cells/topology').set('Authorization', user)).body;
    expect(topology.cells).toHaveLength(5);
    expect(topology.components.filter((c: any) => c.cell === 'system:default/orion').every((c: any) => c.protection.l7)).toBe(true);
    const blast = (await request(t.server).post('/api/cells/blast-radius').set('Authorization', user).send({ from: 'orion/guidance-nav' })).body;
    expect(blast.reaches.length + blast.reachedBy.length).toBeGreaterThan(0);
  });
});
