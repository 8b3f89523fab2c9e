import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import catalogPlugin, { CATALOG_ERRORS_TOPIC } from '@backstage/plugin-catalog-backend';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { RELATION_DEPENDENCY_OF, RELATION_DEPENDS_ON } from '@backstage/catalog-model';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogModuleCells } from './module';

const ARTEMIS_DIR = path.resolve(__dirname, '../../../examples/artemis');

/** What the catalog publishes on `catalog.errors` for an entity that failed processing. */
interface CatalogErrorEvent {
  entity: string;
  location?: string;
  errors: { name: string; message: string; cause?: { message: string } }[];
}

/** The location the catalog reads: valid cells, and entities each check must refuse. */
const cells = fs.readFileSync(path.join(__dirname, '__fixtures__', 'cells.yaml'), 'utf8');

const latecomer = `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: latecomer }
spec:
  type: service
  lifecycle: production
  owner: group:default/outpost-team
  system: outpost
  endpoints:
    - { name: http, port: 8080, protocol: HTTP, visibility: project }
`;

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

// The real catalog processes entities in rounds; give it time on a slow CI machine.
jest.setTimeout(120_000);

describe('catalogModuleCells with the real catalog', () => {
  let dir: string;
  let baseUrl: string;
  const errorEvents: CatalogErrorEvent[] = [];

  /**
   * Error messages of the latest processing of one entity (the catalog
   * publishes them again on every processing round).
   */
  const errorsOf = (ref: string) =>
    errorEvents
      .filter(e => e.entity === ref)
      .slice(-1)
      .flatMap(e => e.errors.map(err => err.message));

  /** Rewrites the file the catalog reads its location from. */
  const writeCells = (content: string) => fs.writeFileSync(path.join(dir, 'cells.yaml'), content);

  const api = (p: string, init?: RequestInit) =>
    fetch(`${baseUrl}/api/catalog${p}`, {
      ...init,
      headers: {
        Authorization: mockCredentials.user.header(),
        'Content-Type': 'application/json',
      },
    });

  const getEntity = async (ref: string) => {
    const [kind, rest] = ref.split(':');
    const res = await api(`/entities/by-name/${kind}/${rest}`);
    return res.status === 200 ? res.json() : undefined;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-catalog-'));
    writeCells(cells);

    // Records what the catalog publishes for failed entities, like
    // catalog-backend-module-logs does.
    const errorRecorder = createBackendModule({
      pluginId: 'catalog',
      moduleId: 'test-error-recorder',
      register(reg) {
        reg.registerInit({
          deps: { events: eventsServiceRef },
          async init({ events }) {
            await events.subscribe({
              id: 'test-error-recorder',
              topics: [CATALOG_ERRORS_TOPIC],
              async onEvent(params) {
                errorEvents.push(params.eventPayload as CatalogErrorEvent);
              },
            });
          },
        });
      },
    });

    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleCells,
        errorRecorder,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              database: { client: 'better-sqlite3', connection: ':memory:' },
            },
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [
                {
                  allow: ['System', 'Component', 'API', 'Location', 'Domain', 'Group', 'User'],
                },
              ],
              locations: [
                { type: 'file', target: path.join(dir, 'cells.yaml') },
                // The repo's example: five cells that call each other.
                ...fs
                  .readdirSync(ARTEMIS_DIR)
                  .filter(f => f.endsWith('.yaml'))
                  .map(f => ({
                    type: 'file',
                    target: path.join(ARTEMIS_DIR, f),
                  })),
              ],
            },
          },
        }),
      ],
    });
    const address = backend.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    baseUrl = `http://localhost:${address.port}`;
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ingests valid cells, including components that call each other', async () => {
    const alpha = await eventually('alpha in the catalog', () => getEntity('component:default/alpha'));
    const beta = await eventually('beta in the catalog', () => getEntity('component:default/beta'));
    expect(await getEntity('system:default/lab')).toBeDefined();
    expect(await getEntity('component:default/plain')).toBeDefined();
    for (const entity of [alpha, beta]) {
      expect(entity.status?.items ?? []).toEqual([]);
    }
    expect(errorsOf('component:default/alpha')).toEqual([]);
    expect(errorsOf('component:default/beta')).toEqual([]);
  });

  it('reports a bad field as a processing error naming entity, field and fix', async () => {
    const messages = await eventually('an error for hbone-squatter', async () => {
      const m = errorsOf('component:default/hbone-squatter');
      return m.length ? m : undefined;
    });
    expect(messages).toEqual([
      expect.stringMatching(/^component:default\/hbone-squatter: spec\.endpoints\[0\]\.port: port 15008 is reserved .*Fix: pick a port outside/),
    ]);
    // The catalog keeps an entity with errors out.
    expect(await getEntity('component:default/hbone-squatter')).toBeUndefined();
  });

  it.each([
    [
      'component:evil/spy',
      /^component:evil\/spy: spec\.system: system:default\/lab does not admit components of catalog namespace evil.*Fix: ask the owner of system:default\/lab \(group:default\/lab-team\) to add/,
    ],
    [
      'system:default/open-door',
      /^system:default\/open-door: spec\.owner: group:default\/system:authenticated would bind Kubernetes' own system:authenticated.*Fix: set spec\.owner to a Group or User/,
    ],
    ['component:default/default', /^component:default\/default: metadata\.name: a cell component cannot be named default.*Fix: rename the component/],
  ])('reports the hostile %s on itself, naming field and fix, and keeps it out', async (ref, message) => {
    const messages = await eventually(`an error for ${ref}`, async () => {
      const m = errorsOf(ref);
      return m.length ? m : undefined;
    });
    expect(messages).toEqual([expect.stringMatching(message)]);
    expect(await getEntity(ref)).toBeUndefined();
    // The cell the intruder names is not held back: lab is in the catalog without errors.
    expect((await getEntity('system:default/lab'))?.status?.items ?? []).toEqual([]);
  });

  it('reports a misspelled Cellplane field with the fix, and keeps the entity out', async () => {
    const messages = await eventually('an error for typo', async () => {
      const m = errorsOf('component:default/typo');
      return m.length ? m : undefined;
    });
    expect(messages).toEqual([
      'component:default/typo: spec.conections: unknown field "conections" is a near miss of `connections` (a misspelled field would be ignored). Fix: did you mean `connections`? Rename the field.',
    ]);
    expect(await getEntity('component:default/typo')).toBeUndefined();
  });

  it('reports a connection that the target visibility forbids', async () => {
    const messages = await eventually('an error for intruder', async () => {
      const m = errorsOf('component:default/intruder');
      return m.length ? m : undefined;
    });
    expect(messages).toEqual([
      expect.stringMatching(
        /^component:default\/intruder: spec\.connections\[0\]\.to: endpoint http of component:default\/alpha is visible only inside system:default\/lab.*Fix: /,
      ),
    ]);
    expect(await getEntity('component:default/intruder')).toBeUndefined();
  });

  it('reports an unknown target until it appears in the catalog', async () => {
    const messages = await eventually('an error for early-bird', async () => {
      const m = errorsOf('component:default/early-bird');
      return m.length ? m : undefined;
    });
    expect(messages[0]).toMatch(/^component:default\/early-bird: spec\.connections\[0\]\.to: component:default\/latecomer is not in the catalog.*Fix: /);
    expect(await getEntity('component:default/early-bird')).toBeUndefined();

    // latecomer is added to the location; early-bird follows once it is known.
    writeCells(`${cells}---${latecomer}`);

    const earlyBird = await eventually('early-bird in the catalog', () => getEntity('component:default/early-bird'));
    expect(earlyBird.status?.items ?? []).toEqual([]);
  });

  it('shows a new problem on an entity that was valid before', async () => {
    await eventually('beta in the catalog', () => getEntity('component:default/beta'));
    // beta now declares a second endpoint on a port it already uses.
    writeCells(
      `${cells}---${latecomer}`.replace(
        '    - { name: http, port: 8080, protocol: HTTP, visibility: project }\n  connections:\n    - { to: alpha',
        '    - { name: http, port: 8080, protocol: HTTP, visibility: project }\n    - { name: admin, port: 8080, protocol: HTTP, visibility: project }\n  connections:\n    - { to: alpha',
      ),
    );
    // The catalog serves beta's last valid version, with the error in its status.
    const items = await eventually('a processing error on beta', async () => {
      const beta = await getEntity('component:default/beta');
      const found = beta?.status?.items ?? [];
      return found.length ? found : undefined;
    });
    expect(items).toEqual([
      expect.objectContaining({
        type: 'backstage.io/catalog-processing',
        level: 'error',
        message: expect.stringMatching(
          /component:default\/beta: spec\.endpoints\[1\]\.port: port 8080\/TCP is used by another endpoint\. Fix: give each endpoint its own port/,
        ),
      }),
    ]);
  });

  describe('dependency relations of the Artemis cells', () => {
    /**
     * The target refs of an entity's relations of one type, sorted, once they
     * equal `expected` (relations emitted while processing other entities
     * arrive in later rounds); the last ones read if they never do.
     */
    const relationsOf = async (ref: string, type: string, expected: string[]): Promise<string[]> => {
      let last: string[] = [];
      try {
        await eventually(
          `${type} relations of ${ref}`,
          async () => {
            const entity = await getEntity(ref);
            last = (entity?.relations ?? [])
              .filter((r: { type: string }) => r.type === type)
              .map((r: { targetRef: string }) => r.targetRef)
              .sort();
            return JSON.stringify(last) === JSON.stringify(expected) ? last : undefined;
          },
          90_000,
        );
      } catch {
        // fall through: the caller's expect shows the difference
      }
      return last;
    };

    it('makes a caller dependsOn what it calls', async () => {
      // houston.yaml: flight-director's connections (launch-control twice:
      // one relation), plus capcom, which grants it in its allowFrom.
      const expected = [
        'component:default/capcom',
        'component:default/comms-system',
        'component:default/flight-dynamics',
        'component:default/launch-control',
        'component:default/service-module-monitor',
        'component:default/signal-router',
        'component:default/weather-station',
      ];
      expect(await relationsOf('component:default/flight-director', RELATION_DEPENDS_ON, expected)).toEqual(expected);
    });

    it('gives the callee the inverse dependencyOf', async () => {
      // comms-system is called by capcom and flight-director (their
      // connections) and the three DSN stations (connections and its allowFrom).
      const expected = [
        'component:default/canberra',
        'component:default/capcom',
        'component:default/flight-director',
        'component:default/goldstone',
        'component:default/madrid',
      ];
      expect(await relationsOf('component:default/comms-system', RELATION_DEPENDENCY_OF, expected)).toEqual(expected);
    });

    it('makes a granted component dependsOn the callee, and a granted cell as a whole', async () => {
      // esa-ops.yaml: service-module-monitor grants mission-relay, which has
      // no connection to it: only the grant gives this relation.
      const missionRelay = ['component:default/service-module-monitor', 'component:default/telemetry-monitor'];
      expect(await relationsOf('component:default/mission-relay', RELATION_DEPENDS_ON, missionRelay)).toEqual(missionRelay);
      // deep-space-network.yaml: signal-router grants the whole orion and
      // houston cells: the Systems depend on it, not each of their components.
      const orion = ['component:default/signal-router'];
      expect(await relationsOf('system:default/orion', RELATION_DEPENDS_ON, orion)).toEqual(orion);
      const signalRouter = [
        'component:default/capcom',
        'component:default/comms-system',
        'component:default/flight-director',
        'component:default/telemetry-monitor',
        'system:default/houston',
        'system:default/orion',
      ];
      expect(await relationsOf('component:default/signal-router', RELATION_DEPENDENCY_OF, signalRouter)).toEqual(signalRouter);
    });

    it('emits no relation for an invalid connection', async () => {
      // intruder's only connection is invalid: the processor emits no
      // relation for it (see the unit test) and the catalog keeps intruder
      // out, so alpha has no dependencyOf intruder, only the one from beta.
      await eventually('an error for intruder', async () => (errorsOf('component:default/intruder').length ? true : undefined));
      const alpha = await getEntity('component:default/alpha');
      expect((alpha?.relations ?? []).filter((r: { type: string }) => r.type === RELATION_DEPENDENCY_OF)).toEqual([
        { type: RELATION_DEPENDENCY_OF, targetRef: 'component:default/beta' },
      ]);
    });
  });
});
