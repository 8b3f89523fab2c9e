import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CellsService } from '../service/types';
import { cellsAuthPolicies, createRouter } from './index';

/**
 * The router alone, over an in-memory fake CellsService: these tests are about
 * the HTTP layer (input shape, permissions, error mapping). The real service
 * behind the real plugin is tested in ../plugin.test.ts.
 */
function fakeService(calls: Record<string, unknown[]>): CellsService {
  const record = (name: string, arg: unknown) => (calls[name] ??= []).push(arg);
  const cells = ['system:default/orion', 'system:default/houston'];
  return {
    listCells: async () => ({
      items: cells.map(entityRef => ({
        entityRef,
        title: entityRef,
        owner: 'group:default/crew',
        environments: [],
      })),
    }),
    getCell: async ref => {
      throw new NotFoundError(`no cell ${ref}`);
    },
    getManifests: async (ref, environment) => {
      if (environment !== 'development')
        throw new InputError(`environment: unknown "${environment}"`);
      return [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: ref.split('/')[1] },
        },
      ] as any;
    },
    getPlan: async () => {
      throw new Error('not used');
    },
    requestReconcile: async req => {
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
      return {
        allowed: false,
        decidedBy: 'L7',
        layers: [],
        explanation: 'denied',
        hops: [],
      };
    },
    topology: async () => {
      throw new Error('not used');
    },
    blastRadius: async body => {
      record('blastRadius', body);
      return {
        environment: 'development',
        from: 'orion/comms',
        reaches: [],
        reachedBy: [],
      };
    },
    attacks: async query => ({
      environment: query.environment ?? 'development',
      items: [],
      truncated: false,
    }),
    preview: async body => {
      record('preview', body);
      return {
        environment: body.environment ?? 'development',
        entities: ['component:default/clock'],
        cells: [
          { entityRef: 'system:default/orion', namespace: 'orion', exists: true, objects: [] },
          { entityRef: 'system:default/houston', namespace: 'houston', exists: true, objects: [] },
          { entityRef: 'system:default/lunar', namespace: 'lunar', exists: false, objects: [] },
        ],
        accessDiff: { added: [], removed: [] },
      };
    },
    ownerOf: async () => 'group:default/crew',
  };
}

/** Allows cells.reconcile on orion only, and records what was asked. */
function partialPermissions(asked: string[]) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: (): PermissionsService =>
      ({
        authorize: async (reqs: any[]) =>
          reqs.map(r => {
            asked.push(`${r.permission.name} ${r.resourceRef}`);
            return {
              result:
                r.resourceRef === 'system:default/orion'
                  ? AuthorizeResult.ALLOW
                  : AuthorizeResult.DENY,
            };
          }),
        authorizeConditional: async () => {
          throw new Error('not used');
        },
      } as any),
  });
}

async function start(extra: any[] = []) {
  const calls: Record<string, unknown[]> = {};
  const testPlugin = createBackendPlugin({
    pluginId: 'cells',
    register(reg) {
      reg.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
          permissions: coreServices.permissions,
          logger: coreServices.logger,
        },
        async init({ httpRouter, httpAuth, permissions, logger }) {
          httpRouter.use(
            await createRouter({
              service: fakeService(calls),
              httpAuth,
              permissions,
              logger,
            }),
          );
          for (const policy of cellsAuthPolicies)
            httpRouter.addAuthPolicy(policy);
        },
      });
    },
  });
  const backend = await startTestBackend({ features: [testPlugin, ...extra] });
  return { backend, server: backend.server, calls };
}

const user = mockCredentials.user.header('user:default/alice');

const clock = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'clock' },
  spec: { system: 'orion' },
};

describe('the cells router over a fake service', () => {
  it('refuses bad input with 400 naming the field', async () => {
    const { backend, server, calls } = await start();
    try {
      const post = (route: string, body: unknown) =>
        request(server)
          .post(`/api/cells${route}`)
          .set('Authorization', user)
          .send(body as any);
      const noTo = await post('/simulate', { from: 'orion/comms' });
      expect(noTo.status).toBe(400);
      expect(noTo.body.error).toEqual({
        name: 'InputError',
        message: 'to: required',
      });
      const unknownKey = await post('/simulate', {
        from: 'orion/comms',
        to: 'houston/capcom',
        verb: 'GET',
      });
      expect(unknownKey.status).toBe(400);
      expect(unknownKey.body.error.message).toMatch(/^verb: unknown field/);
      expect(
        (
          await post('/simulate', {
            from: { rogue: 'orion', gateway: true },
            to: 'houston/capcom',
          })
        ).body.error.message,
      ).toMatch(/^from: must be/);
      expect((await post('/blast-radius', {})).body.error.message).toBe(
        'from: required',
      );
      expect(
        (
          await post('/reconcile', {
            entityRef: 'system:default/orion',
            force: true,
          })
        ).body.error.message,
      ).toMatch(/^force: unknown field/);
      for (const [query, field] of [
        ['limit=ten', 'limit'],
        ['limit=0', 'limit'],
        ['limit=501', 'limit'],
        ['cursor=', 'cursor'],
        ['page=2', 'page'],
      ]) {
        const res = await request(server)
          .get(`/api/cells/history?${query}`)
          .set('Authorization', user);
        expect(res.status).toBe(400);
        expect(res.body.error.message.startsWith(`${field}:`)).toBe(true);
      }
      const noEnv = await request(server)
        .get('/api/cells/cells/default/orion/manifests')
        .set('Authorization', user);
      expect(noEnv.status).toBe(400);
      expect(noEnv.body.error.message).toBe('environment: required');
      // Nothing reached the service with bad input.
      expect(calls.simulate).toBeUndefined();
      expect(calls.listHistory).toBeUndefined();
    } finally {
      await backend.stop();
    }
  });

  it('passes good input on, with defaults, and maps service errors to their statuses', async () => {
    const { backend, server, calls } = await start();
    try {
      const history = await request(server)
        .get('/api/cells/history?entityRef=system:default/orion')
        .set('Authorization', user);
      expect(history.status).toBe(200);
      expect(calls.listHistory).toEqual([
        { entityRef: 'system:default/orion', limit: 50 },
      ]);
      await request(server)
        .get('/api/cells/history?limit=500&cursor=abc')
        .set('Authorization', user)
        .expect(200);
      expect(calls.listHistory[1]).toEqual({ limit: 500, cursor: 'abc' });

      const sim = await request(server)
        .post('/api/cells/simulate')
        .set('Authorization', user)
        .send({ from: { gateway: true }, to: 'orion/comms', method: 'GET' });
      expect(sim.status).toBe(200);
      expect(calls.simulate).toEqual([
        { from: { gateway: true }, to: 'orion/comms', method: 'GET' },
      ]);

      const yaml = await request(server)
        .get('/api/cells/cells/default/orion/manifests?environment=development')
        .set('Authorization', user)
        .set('Accept', 'application/yaml');
      expect(yaml.status).toBe(200);
      expect(yaml.type).toBe('application/yaml');
      expect(yaml.text).toContain('kind: Namespace');
      const json = await request(server)
        .get('/api/cells/cells/default/orion/manifests?environment=development')
        .set('Authorization', user);
      expect(json.body.items[0].metadata.name).toBe('orion');

      const unknownEnv = await request(server)
        .get('/api/cells/cells/default/orion/manifests?environment=prod')
        .set('Authorization', user);
      expect(unknownEnv.status).toBe(400);
      expect(unknownEnv.body.error).toEqual({
        name: 'InputError',
        message: 'environment: unknown "prod"',
      });
      const missing = await request(server)
        .get('/api/cells/cells/default/nope')
        .set('Authorization', user);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toEqual({
        name: 'NotFoundError',
        message: 'no cell system:default/nope',
      });

      const run = await request(server)
        .post('/api/cells/reconcile')
        .set('Authorization', user)
        .send({});
      expect(run.status).toBe(202);
      expect(run.body).toEqual({ runId: 'run-1' });
      expect(calls.requestReconcile).toEqual([
        { entityRef: undefined, requestedBy: 'user:default/alice' },
      ]);
    } finally {
      await backend.stop();
    }
  });

  it("POST /preview checks the entities' shape, passes them on, and needs cells.manifest.read on each touched cell that exists", async () => {
    const asked: string[] = [];
    const { backend, server, calls } = await start([partialPermissions(asked)]);
    try {
      const post = (body: unknown) =>
        request(server)
          .post('/api/cells/preview')
          .set('Authorization', user)
          .send(body as any);
      for (const [body, message] of [
        [{}, 'entities: required'],
        [{ entities: 'clock' }, 'entities: must be a list of 1 to 20 catalog entities'],
        [{ entities: Array(21).fill(clock) }, 'entities: must be a list of 1 to 20 catalog entities'],
        [{ entities: [null] }, 'entities[0]: must be an entity object'],
        [{ entities: [{ ...clock, apiVersion: 1 }] }, 'entities[0].apiVersion: must be a non-empty string, e.g. backstage.io/v1alpha1'],
        [{ entities: [clock, { ...clock, kind: 'API' }] }, 'entities[1].kind: must be System or Component, not "API"'],
        [{ entities: [{ ...clock, metadata: { name: '' } }] }, 'entities[0].metadata.name: must be a non-empty string'],
        [{ entities: [{ ...clock, metadata: { name: 'clock', namespace: 7 } }] }, 'entities[0].metadata.namespace: must be a non-empty string when given'],
        [{ entities: [{ ...clock, spec: [] }] }, 'entities[0].spec: must be an object'],
        [{ entities: [clock, { ...clock, kind: 'component' }] }, 'entities[1]: component:default/clock is also entities[0]; give each entity once'],
        [{ entities: [clock], environment: '' }, 'environment: must be a non-empty string'],
      ] as const) {
        const res = await post(body);
        expect(res.status).toBe(400);
        expect(res.body.error).toEqual({ name: 'InputError', message });
      }
      expect(calls.preview).toBeUndefined();

      // orion is allowed, houston is not; lunar does not exist yet and is not asked about.
      const denied = await post({ entities: [clock], environment: 'development' });
      expect(calls.preview).toEqual([{ entities: [clock], environment: 'development' }]);
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toBe('cells.manifest.read is not allowed on system:default/houston');
      expect(asked).toEqual(['cells.manifest.read system:default/orion', 'cells.manifest.read system:default/houston']);
    } finally {
      await backend.stop();
    }
  });

  it("POST /preview answers the service's preview when every touched cell may be read", async () => {
    const { backend, server } = await start();
    try {
      const res = await request(server).post('/api/cells/preview').set('Authorization', user).send({ entities: [clock] });
      expect(res.status).toBe(200);
      expect(res.body.cells.map((c: any) => c.entityRef)).toEqual(['system:default/orion', 'system:default/houston', 'system:default/lunar']);
    } finally {
      await backend.stop();
    }
  });

  it('answers 401 without credentials, except /health', async () => {
    const { backend, server } = await start([
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
    ]);
    try {
      expect((await request(server).get('/api/cells/attacks')).status).toBe(
        401,
      );
      expect(
        (
          await request(server)
            .post('/api/cells/blast-radius')
            .send({ from: 'orion/comms' })
        ).status,
      ).toBe(401);
      expect((await request(server).get('/api/cells/health')).body).toEqual({
        status: 'ok',
      });
    } finally {
      await backend.stop();
    }
  });

  it('authorizes reconcile per cell: one allowed cell passes, all cells need every one', async () => {
    const asked: string[] = [];
    const { backend, server, calls } = await start([partialPermissions(asked)]);
    try {
      const one = await request(server)
        .post('/api/cells/reconcile')
        .set('Authorization', user)
        .send({ entityRef: 'system:default/orion' });
      expect(one.status).toBe(202);
      expect(asked).toEqual(['cells.reconcile system:default/orion']);
      const all = await request(server)
        .post('/api/cells/reconcile')
        .set('Authorization', user)
        .send({});
      expect(all.status).toBe(403);
      expect(all.body.error).toEqual({
        name: 'NotAllowedError',
        message: 'cells.reconcile is not allowed on system:default/houston',
      });
      expect(calls.requestReconcile).toHaveLength(1);
      const denied = await request(server)
        .get(
          '/api/cells/cells/default/houston/manifests?environment=development',
        )
        .set('Authorization', user);
      expect(denied.status).toBe(403);
      expect(asked).toContain('cells.manifest.read system:default/houston');
    } finally {
      await backend.stop();
    }
  });
});
