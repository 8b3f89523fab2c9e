import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import catalogPlugin, {
  CATALOG_ERRORS_TOPIC,
} from '@backstage/plugin-catalog-backend';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogModuleCells } from './module';

/** What the catalog publishes on `catalog.errors` for an entity that failed processing. */
interface CatalogErrorEvent {
  entity: string;
  location?: string;
  errors: { name: string; message: string; cause?: { message: string } }[];
}

const cells = `
apiVersion: backstage.io/v1alpha1
kind: System
metadata: { name: lab }
spec:
  owner: group:default/lab-team
  cell: {}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: { name: outpost }
spec:
  owner: group:default/outpost-team
  cell: {}
---
# alpha and beta call each other: both are new, so each is valid only once the
# other is known to the catalog.
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: alpha }
spec:
  type: service
  lifecycle: production
  owner: group:default/lab-team
  system: lab
  endpoints:
    - { name: http, port: 8080, protocol: HTTP, visibility: project }
  connections:
    - { to: beta, endpoint: http, methods: [GET], paths: [/status] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: beta }
spec:
  type: service
  lifecycle: production
  owner: group:default/lab-team
  system: lab
  endpoints:
    - { name: http, port: 8080, protocol: HTTP, visibility: project }
  connections:
    - { to: alpha, endpoint: http, methods: [POST], paths: [/report] }
---
# A port the Istio ambient data plane reserves (HBONE).
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: hbone-squatter }
spec:
  type: service
  lifecycle: production
  owner: group:default/lab-team
  system: lab
  endpoints:
    - { name: http, port: 15008, protocol: HTTP, visibility: project }
---
# Another cell calling alpha, which is visible only inside the lab cell.
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: intruder }
spec:
  type: service
  lifecycle: production
  owner: group:default/outpost-team
  system: outpost
  endpoints:
    - { name: http, port: 8080, protocol: HTTP, visibility: project }
  connections:
    - { to: component:default/alpha, endpoint: http }
---
# Calls a component nobody has registered yet.
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: early-bird }
spec:
  type: service
  lifecycle: production
  owner: group:default/outpost-team
  system: outpost
  endpoints:
    - { name: http, port: 8080, protocol: HTTP, visibility: project }
  connections:
    - { to: latecomer, endpoint: http }
---
# Not a cell component: the module leaves it alone.
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: plain }
spec:
  type: website
  lifecycle: production
  owner: group:default/lab-team
`;

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

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
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
  const writeCells = (content: string) =>
    fs.writeFileSync(path.join(dir, 'cells.yaml'), content);

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
              rules: [{ allow: ['System', 'Component', 'Location'] }],
              locations: [
                { type: 'file', target: path.join(dir, 'cells.yaml') },
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
    const alpha = await eventually('alpha in the catalog', () =>
      getEntity('component:default/alpha'),
    );
    const beta = await eventually('beta in the catalog', () =>
      getEntity('component:default/beta'),
    );
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
      expect.stringMatching(
        /^component:default\/hbone-squatter: spec\.endpoints\[0\]\.port: port 15008 is reserved .*Fix: pick a port outside/,
      ),
    ]);
    // The catalog keeps an entity with errors out.
    expect(await getEntity('component:default/hbone-squatter')).toBeUndefined();
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
    expect(messages[0]).toMatch(
      /^component:default\/early-bird: spec\.connections\[0\]\.to: component:default\/latecomer is not in the catalog.*Fix: /,
    );
    expect(await getEntity('component:default/early-bird')).toBeUndefined();

    // latecomer is added to the location; early-bird follows once it is known.
    writeCells(`${cells}---${latecomer}`);

    const earlyBird = await eventually('early-bird in the catalog', () =>
      getEntity('component:default/early-bird'),
    );
    expect(earlyBird.status?.items ?? []).toEqual([]);
  });

  it('shows a new problem on an entity that was valid before', async () => {
    await eventually('beta in the catalog', () =>
      getEntity('component:default/beta'),
    );
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
});
