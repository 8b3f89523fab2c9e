import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { AuthService, coreServices, createBackendModule, createServiceFactory } from '@backstage/backend-plugin-api';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogConditions, createCatalogConditionalDecision } from '@backstage/plugin-catalog-backend/alpha';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { AuthorizeResult, isPermission, PolicyDecision } from '@backstage/plugin-permission-common';
import { PermissionPolicy, PolicyQuery, PolicyQueryUser } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { ARTEMIS_DIR } from './__testUtils__/artemis';
import { eventually } from './__testUtils__/eventually';
import { cellsManifestReadPermission } from './permissions';
import { cellsPlugin } from './plugin';

/**
 * The read permission with a real, denying policy: the real catalog (the
 * Artemis example from files), the real permission backend and permissions
 * service, and a policy that lets a user read only the cells its groups own
 * (a conditional decision the catalog resolves). Capcom's operator is in
 * houston-flight-ops, so reads houston and nothing else; a stranger reads
 * nothing.
 */
class OwnersReadCellsPolicy implements PermissionPolicy {
  async handle(query: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    if (!isPermission(query.permission, cellsManifestReadPermission)) return { result: AuthorizeResult.ALLOW };
    if (!user) return { result: AuthorizeResult.DENY };
    return createCatalogConditionalDecision(cellsManifestReadPermission, catalogConditions.isEntityOwner({ claims: user.info.ownershipEntityRefs }));
  }
}

const policyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'owners-read-cells',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new OwnersReadCellsPolicy());
      },
    });
  },
});

const capcom = 'user:default/capcom-on-duty';
const stranger = 'user:default/stranger';

/** Who owns what: what a sign-in resolver would put in the user's token. */
const userInfo = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: any) {
      const userEntityRef = credentials.principal.userEntityRef as string;
      return { userEntityRef, ownershipEntityRefs: userEntityRef === capcom ? [capcom, 'group:default/houston-flight-ops'] : [userEntityRef] };
    },
  }),
});

/**
 * Backstage's mock auth service, except that a plugin calling another on a
 * user's behalf sends what the real one sends: the user, with the calling
 * plugin as actor. (The mock sends the bare user, which the permission backend
 * rightly refuses for conditional decisions; the real token service needs an
 * auth backend issuing signed user tokens, which this test does not run.)
 */
const authWithActors = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const auth = mockServices.auth({ pluginId: plugin.getId() });
    return {
      authenticate: auth.authenticate.bind(auth),
      getNoneCredentials: auth.getNoneCredentials.bind(auth),
      getOwnServiceCredentials: auth.getOwnServiceCredentials.bind(auth),
      isPrincipal: auth.isPrincipal.bind(auth) as AuthService['isPrincipal'],
      getLimitedUserToken: auth.getLimitedUserToken.bind(auth),
      listPublicServiceKeys: auth.listPublicServiceKeys.bind(auth),
      async getPluginRequestToken(options) {
        const principal = options.onBehalfOf.principal as { type: string; userEntityRef?: string };
        if (principal.type !== 'user') return auth.getPluginRequestToken(options);
        return { token: mockCredentials.user.token(principal.userEntityRef!, { actor: { subject: `plugin:${plugin.getId()}` } }) };
      },
    };
  },
});

jest.setTimeout(180_000);

describe('the cells backend with a real permission policy that lets owners read their cells', () => {
  let server: any;
  let stop: () => Promise<void>;
  const as = (user: string) => ({ Authorization: mockCredentials.user.header(user) });

  beforeAll(async () => {
    const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-permissions-')), 'development');
    const backend = await startTestBackend({
      features: [
        cellsPlugin,
        catalogPlugin,
        permissionPlugin,
        policyModule,
        userInfo,
        authWithActors,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [{ allow: ['System', 'Component', 'API', 'Domain', 'Group', 'User', 'Location'] }],
              locations: fs
                .readdirSync(ARTEMIS_DIR)
                .filter(f => f.endsWith('.yaml'))
                .map(f => ({ type: 'file', target: path.join(ARTEMIS_DIR, f) })),
            },
            cells: { environments: [{ name: 'development', target: { type: 'directory', path: folder } }] },
          },
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
    // The catalog processes its files in rounds: wait for the cells' ownership relations, then reconcile.
    const waitLong = 120_000;
    await eventually(
      'the catalog to process the Artemis example (houston owned)',
      async () => request(server).get('/api/catalog/entities/by-name/system/default/houston').set(as(capcom)),
      res => res.status === 200 && res.body.relations?.some((r: any) => r.type === 'ownedBy'),
      waitLong,
    );
    await eventually(
      'the catalog to process the 18 components',
      async () => request(server).get('/api/catalog/entities?filter=kind=component').set(as(capcom)),
      res => res.body.length >= 18,
      waitLong,
    );
    const run = await request(server).post('/api/cells/reconcile').set(as(capcom)).send({});
    if (run.status !== 202) throw new Error(`POST /reconcile answered ${run.status}`);
    const done = await eventually(
      'the reconcile run to end',
      async () => (await request(server).get(`/api/cells/runs/${run.body.runId}`).set(as(capcom))).body.state,
      state => state === 'succeeded' || state === 'failed',
      waitLong,
    );
    if (done !== 'succeeded') throw new Error(`the reconcile run ended ${done}`);
  });

  afterAll(async () => {
    await stop?.();
  });

  it('shows an owner only its own cells, in the list, the topology and the history', async () => {
    const cells = await request(server).get('/api/cells/cells').set(as(capcom));
    expect(cells.body.items.map((c: any) => c.entityRef)).toEqual(['system:default/houston']);

    const topology = await request(server).get('/api/cells/topology').set(as(capcom));
    expect(topology.status).toBe(200);
    expect(topology.body.cells.map((c: any) => c.entityRef)).toEqual(['system:default/houston']);
    expect(topology.body.components.every((c: any) => c.cell === 'system:default/houston')).toBe(true);
    const shown = new Set(topology.body.components.map((c: any) => c.entityRef));
    // capcom calls orion's comms-system: that edge would reveal orion's policy, so it is not drawn.
    expect(topology.body.edges.length).toBeGreaterThan(0);
    expect(topology.body.edges.every((e: any) => shown.has(e.to) && (e.from === 'gateway' || shown.has(e.from)))).toBe(true);

    const history = await request(server).get('/api/cells/history?limit=500').set(as(capcom));
    expect(history.body.items.length).toBeGreaterThan(0);
    expect(history.body.items.every((h: any) => h.entityRef === 'system:default/houston')).toBe(true);
  });

  it("answers 403 for every route about another team's cell", async () => {
    const denied = [
      request(server).get('/api/cells/cells/default/orion'),
      request(server).get('/api/cells/cells/default/orion/manifests?environment=development'),
      request(server).get('/api/cells/cells/default/orion/plan?environment=development'),
      request(server).get('/api/cells/cells/default/orion/report?format=pdf'),
      request(server).get('/api/cells/history?entityRef=system:default/orion'),
      request(server).get('/api/cells/attacks?rogue=orion'),
      request(server).get('/api/cells/attacks?target=orion/comms-system'),
      request(server).post('/api/cells/simulate').send({ from: 'houston/capcom', to: 'orion/comms-system', method: 'POST', path: '/uplink' }),
      request(server)
        .post('/api/cells/simulate')
        .send({ from: { rogue: 'orion' }, to: 'houston/capcom' }),
      request(server).post('/api/cells/blast-radius').send({ from: 'orion/comms-system' }),
      request(server)
        .post('/api/cells/preview')
        .send({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: 'star-tracker' },
              spec: { type: 'service', lifecycle: 'experimental', owner: 'group:default/orion-crew-systems', system: 'orion' },
            },
          ],
        }),
    ];
    for (const req of denied) {
      const res = await req.set(as(capcom));
      expect([res.status, res.body.error?.message]).toEqual([403, expect.stringMatching(/^cells\.manifest\.read is not allowed on system:default\/orion$/)]);
    }
  });

  it('answers about its own cell, leaving out what lies in cells it may not read', async () => {
    expect((await request(server).get('/api/cells/cells/default/houston').set(as(capcom))).status).toBe(200);
    const report = await request(server).get('/api/cells/cells/default/houston/report?format=md').set(as(capcom));
    expect([report.status, report.text]).toEqual([200, expect.stringContaining('houston/capcom')]);
    const inside = await request(server)
      .post('/api/cells/simulate')
      .set(as(capcom))
      .send({ from: { rogue: 'houston' }, to: 'houston/capcom' });
    expect(inside.status).toBe(200);

    const blast = await request(server).post('/api/cells/blast-radius').set(as(capcom)).send({ from: 'houston/capcom' });
    expect(blast.status).toBe(200);
    // capcom may call orion's comms-system; that reach reveals orion's policy and is left out.
    const houston = ['capcom', 'flight-director', 'flight-dynamics', 'telemetry-monitor'].map(n => `component:default/${n}`);
    const components = [...blast.body.reaches, ...blast.body.reachedBy].map((r: any) => r.component as string);
    expect(components.length).toBeGreaterThan(0);
    expect(components.filter(c => c !== 'gateway' && c !== 'rogue:system:default/houston' && !houston.includes(c))).toEqual([]);

    const attacks = await request(server).get('/api/cells/attacks?limit=5000').set(as(capcom));
    expect(attacks.body.items.length).toBeGreaterThan(0);
    // Its rogue pod, or an unauthenticated caller through the gateway, against its own components, and its rogue pod's exfiltration attempts (no component target).
    expect(
      attacks.body.items.every(
        (a: any) => (a.body.from.rogue === 'houston' || a.body.from.gateway === true) && (a.body.to === undefined || a.body.to.startsWith('houston/')),
      ),
    ).toBe(true);
    expect(attacks.body.items.filter((a: any) => a.body.to === undefined).map((a: any) => a.id)).toEqual([
      'exfiltrate:rogue:houston:host',
      'exfiltrate:rogue:houston:metadata',
    ]);
    expect(attacks.body.items.filter((a: any) => a.body.from.gateway).map((a: any) => a.id)).toContain(
      'gateway:houston/flight-director:http:POST /decision/abort',
    );
  });

  it('shows a stranger nothing, and refuses it every cell', async () => {
    expect((await request(server).get('/api/cells/cells').set(as(stranger))).body.items).toEqual([]);
    expect((await request(server).get('/api/cells/topology').set(as(stranger))).body).toMatchObject({ cells: [], components: [], edges: [] });
    expect((await request(server).get('/api/cells/history').set(as(stranger))).body.items).toEqual([]);
    expect((await request(server).get('/api/cells/attacks').set(as(stranger))).body.items).toEqual([]);
    const houston = await request(server).get('/api/cells/cells/default/houston').set(as(stranger));
    expect(houston.status).toBe(403);
  });
});
