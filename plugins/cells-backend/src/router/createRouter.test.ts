import request from 'supertest';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { coreServices, createBackendPlugin, createServiceFactory, PermissionsService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CellsService } from '../service/CellsService';
import { serveTopology } from '../service/topology';
import { cellsAuthPolicies, createRouter } from './index';

/**
 * The router alone, over an in-memory fake CellsService: these tests are about
 * the HTTP layer (the generated router's validation and its messages, the
 * permission each route hands the service, error mapping). The real service
 * behind the real plugin is tested in ../plugin.test.ts.
 */
function fakeService(calls: Record<string, unknown[]>): CellsService {
  const record = (name: string, arg: unknown) => (calls[name] ??= []).push(arg);
  const cells = ['system:default/orion', 'system:default/houston'];
  return {
    listCells: async read => {
      const may = await read.filter(cells);
      return { items: cells.filter(may).map(entityRef => ({ entityRef, title: entityRef, owner: 'group:default/crew', environments: [] })) };
    },
    getCell: async ref => {
      throw new NotFoundError(`no cell ${ref}`);
    },
    getManifests: async (ref, environment, read) => {
      await read.require([ref]);
      if (environment !== 'development') throw new InputError(`environment: unknown "${environment}"`);
      return [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ref.split('/')[1] } }];
    },
    getPlan: async () => {
      throw new Error('not used');
    },
    evidence: async () => {
      throw new Error('not used');
    },
    evidenceBundle: async () => {
      throw new Error('not used');
    },
    portfolio: async () => {
      throw new Error('not used');
    },
    verifications: async () => {
      throw new Error('not used');
    },
    auditTrail: async () => {
      throw new Error('not used');
    },
    requestReconcile: async (req, reconcile) => {
      await reconcile.require(req.entityRef ? [req.entityRef] : cells);
      record('requestReconcile', req);
      return 'run-1';
    },
    getRun: async () => {
      throw new Error('not used');
    },
    listHistory: async query => {
      record('listHistory', query);
      return { items: [] };
    },
    simulate: async body => {
      record('simulate', body);
      return { allowed: false, decidedBy: 'L7', layers: [], explanation: 'denied', hops: [] };
    },
    topology: async environment => {
      record('topology', environment);
      return serveTopology({
        environment: environment ?? 'development',
        environments: ['development'],
        cells: [],
        components: [],
        edges: [],
        externals: [],
        egress: [],
      });
    },
    blastRadius: async body => {
      record('blastRadius', body);
      return { environment: 'development', from: 'orion/comms', reaches: [], reachedBy: [], egress: [] };
    },
    attacks: async query => {
      record('attacks', query);
      return { environment: query.environment ?? 'development', items: [], truncated: false };
    },
    traffic: async (query, read) => {
      record('traffic', query);
      const may = await read.filter(cells);
      return {
        environment: 'development',
        window: { from: '', to: '' },
        sources: cells.filter(may),
        edges: [],
        counts: { 'declared-seen': 0, 'declared-unused': 0, 'undeclared-allowed': 0, denied: 0 },
      };
    },
    rollout: async (query, read) => {
      record('rollout', query);
      const may = await read.filter(cells);
      return {
        environment: 'development',
        window: { from: '', to: '' },
        sources: [],
        cells: cells.filter(may).map(entityRef => ({ entityRef, enforcement: 'enforce', wouldBreak: [], unjudged: [] })),
      };
    },
    preview: async body => {
      record('preview', body);
      return { environment: body.environment ?? 'development', entities: ['component:default/clock'], cells: [], accessDiff: { added: [], removed: [] } };
    },
  };
}

/** A policy stand-in that answers CONDITIONAL, then allows orion only, recording what was asked. */
function orionOnly(asked: string[]) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: (): PermissionsService =>
      ({
        authorizeConditional: async (reqs: any[]) =>
          reqs.map(r => {
            asked.push(`${r.permission.name} (any cell)`);
            return {
              result: AuthorizeResult.CONDITIONAL,
              pluginId: 'catalog',
              resourceType: 'catalog-entity',
              conditions: { rule: 'IS_ENTITY_OWNER', resourceType: 'catalog-entity', params: {} },
            };
          }),
        authorize: async (reqs: any[]) =>
          reqs.map(r => {
            asked.push(`${r.permission.name} ${r.resourceRef}`);
            return { result: r.resourceRef === 'system:default/orion' ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
          }),
      } as any),
  });
}

async function start(extra: any[] = []) {
  const calls: Record<string, unknown[]> = {};
  const testPlugin = createBackendPlugin({
    pluginId: 'cells',
    register(reg) {
      reg.registerInit({
        deps: { httpRouter: coreServices.httpRouter, httpAuth: coreServices.httpAuth, permissions: coreServices.permissions, logger: coreServices.logger },
        async init({ httpRouter, httpAuth, permissions, logger }) {
          httpRouter.use(await createRouter({ service: fakeService(calls), httpAuth, permissions, logger }));
          for (const policy of cellsAuthPolicies) httpRouter.addAuthPolicy(policy);
        },
      });
    },
  });
  const backend = await startTestBackend({ features: [testPlugin, ...extra] });
  return { backend, server: backend.server, calls };
}

const user = mockCredentials.user.header('user:default/alice');
/** openapi.yaml's form of an entity ref. */
const ENTITY_REF = '^([A-Za-z][A-Za-z0-9-]*:)?([A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*$';
const clock = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'clock' }, spec: { system: 'orion' } };

describe('the cells router over a fake service', () => {
  let t: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    t = await start();
  });
  afterAll(async () => {
    await t.backend.stop();
  });
  const post = (route: string, body: unknown) =>
    request(t.server)
      .post(`/api/cells${route}`)
      .set('Authorization', user)
      .send(body as any);
  const get = (route: string) => request(t.server).get(`/api/cells${route}`).set('Authorization', user);

  it.each([
    [
      'POST /simulate without to',
      () => post('/simulate', { from: 'orion/comms' }),
      'to: give exactly one of to (a component), toHost or toIp (outside the cluster)',
    ],
    ['POST /simulate outside the cluster without port', () => post('/simulate', { from: 'orion/comms', toIp: '169.254.169.254' }), 'port: required with toIp'],
    [
      'POST /simulate to an address that is none',
      () => post('/simulate', { from: 'orion/comms', toIp: 'x', port: 80 }),
      'toIp: must NOT have fewer than 2 characters',
    ],
    [
      'an unknown body field',
      () => post('/simulate', { from: 'orion/comms', to: 'houston/capcom', verb: 'GET' }),
      'verb: unknown field; allowed: environment, from, to, toHost, toIp, port, protocol, endpoint, method, path, token',
    ],
    [
      'a caller of no form',
      () => post('/simulate', { from: { rogue: 'orion', gateway: true }, to: 'houston/capcom' }),
      'from: must be <cell>/<component>, { rogue: <cell> } or { gateway: true }',
    ],
    [
      'gateway: false',
      () => post('/simulate', { from: { gateway: false }, to: 'houston/capcom' }),
      'from: must be <cell>/<component>, { rogue: <cell> } or { gateway: true }',
    ],
    [
      'a 1,000-character method',
      () => post('/simulate', { from: 'orion/comms', to: 'houston/capcom', method: 'G'.repeat(1000) }),
      'method: must NOT have more than 16 characters',
    ],
    [
      'a method that is no token',
      () => post('/simulate', { from: 'orion/comms', to: 'houston/capcom', method: 'GET /x' }),
      'method: must match pattern "^[A-Za-z]+$"',
    ],
    ['a path that is no path', () => post('/simulate', { from: 'orion/comms', to: 'houston/capcom', path: 'uplink' }), 'path: must match pattern "^/[^\\s]*$"'],
    [
      'a 10,000-character caller',
      () => post('/simulate', { from: 'o'.repeat(10_000), to: 'houston/capcom' }),
      'from: must be <cell>/<component>, { rogue: <cell> } or { gateway: true }',
    ],
    ['POST /blast-radius without from', () => post('/blast-radius', {}), 'from: required'],
    [
      'the gateway asked for its blast radius',
      () => post('/blast-radius', { from: { gateway: true } }),
      'from: must be <cell>/<component> or { rogue: <cell> }',
    ],
    [
      'POST /reconcile with an unknown field',
      () => post('/reconcile', { entityRef: 'system:default/orion', force: true }),
      'force: unknown field; allowed: entityRef',
    ],
    ['POST /reconcile with a malformed ref', () => post('/reconcile', { entityRef: 'system:' }), `entityRef: must match pattern "${ENTITY_REF}"`],
    ['POST /preview without entities', () => post('/preview', {}), 'entities: required'],
    ['POST /preview with 21 entities', () => post('/preview', { entities: Array(21).fill(clock) }), 'entities: must NOT have more than 20 items'],
    ['POST /preview with no list', () => post('/preview', { entities: 'clock' }), 'entities: must be array'],
    ['an entity without apiVersion', () => post('/preview', { entities: [{ ...clock, apiVersion: undefined }] }), 'entities[0].apiVersion: required'],
    [
      'an entity with an empty name',
      () => post('/preview', { entities: [clock, { ...clock, metadata: { name: '' } }] }),
      'entities[1].metadata.name: must NOT have fewer than 1 characters',
    ],
    ['an entity whose spec is a list', () => post('/preview', { entities: [{ ...clock, spec: [] }] }), 'entities[0].spec: must be object'],
    ['GET /history?entityRef=system:', () => get('/history?entityRef=system:'), `entityRef: must match pattern "${ENTITY_REF}"`],
    ['GET /history?limit=ten', () => get('/history?limit=ten'), 'limit: must be integer'],
    ['GET /history?limit=0', () => get('/history?limit=0'), 'limit: must be >= 1'],
    ['GET /history?limit=501', () => get('/history?limit=501'), 'limit: must be <= 500'],
    ['GET /history?cursor=', () => get('/history?cursor='), 'cursor: must not be empty'],
    ['an unknown query parameter', () => get('/history?page=2'), 'page: unknown query parameter; allowed: entityRef, environment, limit, cursor'],
    ['manifests without environment', () => get('/cells/default/orion/manifests'), 'environment: required'],
    ['an environment that is no name', () => get('/topology?environment=Prod!'), 'environment: must match pattern "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"'],
    ['a 64-character cell name', () => get(`/cells/default/${'x'.repeat(64)}`), 'name: must NOT have more than 63 characters'],
    ['an attack list for a 300-character rogue', () => get(`/attacks?rogue=${'r'.repeat(300)}`), 'rogue: must NOT have more than 255 characters'],
  ])('answers 400 naming the field: %s', async (_what, send, message) => {
    const res = await send();
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ name: 'InputError', message });
  });

  it('lets nothing with bad input reach the service', () => {
    // Runs after the table above (jest keeps the order within a file).
    for (const route of ['simulate', 'listHistory', 'blastRadius', 'preview', 'requestReconcile', 'attacks']) expect(t.calls[route]).toBeUndefined();
  });

  it('passes good input on typed, with defaults, and maps service errors to their statuses', async () => {
    expect((await get('/history?entityRef=system:default/orion')).status).toBe(200);
    expect(t.calls.listHistory).toEqual([{ entityRef: 'system:default/orion', limit: 50 }]);
    await get('/history?limit=500&cursor=abc').expect(200);
    expect(t.calls.listHistory[1]).toEqual({ limit: 500, cursor: 'abc' });
    expect((await get('/attacks?limit=2&rogue=orion')).status).toBe(200);
    expect(t.calls.attacks).toEqual([{ limit: 2, rogue: 'orion' }]);

    const sim = await post('/simulate', { from: { gateway: true }, to: 'orion/comms', method: 'GET' });
    expect(sim.status).toBe(200);
    expect(t.calls.simulate).toEqual([{ from: { gateway: true }, to: 'orion/comms', method: 'GET' }]);

    const yaml = await get('/cells/default/orion/manifests?environment=development').set('Accept', 'application/yaml');
    expect(yaml.status).toBe(200);
    expect(yaml.type).toBe('application/yaml');
    expect(yaml.text).toContain('kind: Namespace');
    const json = await get('/cells/default/orion/manifests?environment=development');
    expect(json.body.items[0].metadata.name).toBe('orion');

    const unknownEnv = await get('/cells/default/orion/manifests?environment=prod');
    expect(unknownEnv.status).toBe(400);
    expect(unknownEnv.body.error).toEqual({ name: 'InputError', message: 'environment: unknown "prod"' });
    const missing = await get('/cells/default/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ name: 'NotFoundError', message: 'no cell system:default/nope' });

    const run = await post('/reconcile', {});
    expect(run.status).toBe(202);
    expect(run.body).toEqual({ runId: 'run-1' });
    expect(t.calls.requestReconcile).toEqual([{ requestedBy: 'user:default/alice' }]);

    const preview = await post('/preview', { entities: [clock], environment: 'development' });
    expect(preview.status).toBe(200);
    expect(t.calls.preview).toEqual([{ entities: [clock], environment: 'development' }]);
  });

  it('serves the topology with an ETag, gzipped on request, and 304 while it holds', async () => {
    const first = await get('/topology?environment=development');
    expect(first.status).toBe(200);
    expect(first.body.environment).toBe('development');
    expect(first.headers.etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/topology?environment=development').set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(304);
    const gzip = await get('/topology').set('Accept-Encoding', 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.headers.etag).toMatch(/-gzip"$/);
  });

  it('answers 401 without credentials, except /health', async () => {
    const open = await start([mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() })]);
    try {
      expect((await request(open.server).get('/api/cells/attacks')).status).toBe(401);
      expect((await request(open.server).post('/api/cells/blast-radius').send({ from: 'orion/comms' })).status).toBe(401);
      expect((await request(open.server).get('/api/cells/health')).body).toEqual({ status: 'ok' });
    } finally {
      await open.backend.stop();
    }
  });
});

describe('the cells router with a conditional policy', () => {
  it('hands the service cells.manifest.read and cells.reconcile, decided once per request and batched', async () => {
    const asked: string[] = [];
    const { backend, server, calls } = await start([orionOnly(asked)]);
    try {
      const list = await request(server).get('/api/cells/cells').set('Authorization', user);
      expect(list.body.items.map((c: any) => c.entityRef)).toEqual(['system:default/orion']);
      // One general question, then one batch for both cells.
      expect(asked).toEqual(['cells.manifest.read (any cell)', 'cells.manifest.read system:default/orion', 'cells.manifest.read system:default/houston']);

      asked.length = 0;
      const denied = await request(server).get('/api/cells/cells/default/houston/manifests?environment=development').set('Authorization', user);
      expect(denied.status).toBe(403);
      expect(denied.body.error).toEqual({ name: 'NotAllowedError', message: 'cells.manifest.read is not allowed on system:default/houston' });

      const one = await request(server).post('/api/cells/reconcile').set('Authorization', user).send({ entityRef: 'system:default/orion' });
      expect(one.status).toBe(202);
      const all = await request(server).post('/api/cells/reconcile').set('Authorization', user).send({});
      expect(all.status).toBe(403);
      expect(all.body.error.message).toBe('cells.reconcile is not allowed on system:default/houston');
      expect(calls.requestReconcile).toHaveLength(1);
    } finally {
      await backend.stop();
    }
  });
});
