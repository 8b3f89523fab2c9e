import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { AccessDiffView, KubeObject } from '@cellplane/cells-common';
import { DatabaseCellsStore } from '../DatabaseCellsStore';
import { NewHistoryEntry, StoredCellStatus } from '../types';

/** Fixtures of the store's tests (each test file makes its own TestDatabases). */
export const TABLES = [
  'cells_runs',
  'cells_statuses',
  'cells_good_compilations',
  'cells_history',
  'cells_applied',
  'cells_replicas',
  'cells_leases',
  'cells_verifications',
  'cells_audit_events',
];

export async function setupStore(databases: TestDatabases, id: string) {
  const knex = await databases.init(id as any);
  const store = await DatabaseCellsStore.create({
    database: mockServices.database({ knex }),
  });
  return { knex, store };
}

export const HOUSTON = 'system:default/houston';
export const ORION = 'system:default/orion';

export function status(entityRef: string, environment: string, overrides: Partial<StoredCellStatus> = {}): StoredCellStatus {
  return {
    entityRef,
    environment,
    namespace: `${entityRef.split('/')[1]}-${environment}`,
    target: { type: 'directory', path: `/gitops/${environment}` },
    state: 'in-sync',
    message: '',
    lastReconciledAt: '2026-11-23T10:00:00.123Z',
    objects: [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        name: 'houston',
        state: 'in-sync',
      },
    ],
    ...overrides,
  };
}

export const accessDiff: AccessDiffView = {
  added: [
    {
      from: 'houston/capcom',
      to: 'orion/comms-system',
      port: 8080,
      method: 'POST',
      path: '/uplink',
      layer: 'L7',
      text: 'houston/capcom may now POST /uplink on orion/comms-system',
    },
  ],
  removed: [],
};

export function historyEntry(entityRef: string, runId: string, overrides: Partial<NewHistoryEntry> = {}): NewHistoryEntry {
  return {
    entityRef,
    environment: 'development',
    runId,
    summary: '1 created; 1 request newly allowed',
    cause: {
      kind: 'entity-change',
      entities: [{ entityRef: 'component:default/capcom', change: 'updated' }],
    },
    created: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace: 'houston',
        name: 'capcom',
      },
    ],
    updated: [],
    pruned: [],
    accessDiff,
    ...overrides,
  };
}

/** A compiled cell of `count` objects, about 1 KiB each, keys deliberately not in sorted order. */
export function largeObjects(count: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'AuthorizationPolicy',
    apiVersion: 'security.istio.io/v1',
    metadata: {
      namespace: 'orion',
      name: `component-${i}`,
      labels: { 'app.kubernetes.io/managed-by': 'cellplane' },
    },
    spec: {
      targetRefs: [{ kind: 'Service', group: '', name: `component-${i}` }],
      action: 'ALLOW',
      rules: Array.from({ length: 8 }, (__, r) => ({
        to: [
          {
            operation: {
              ports: [`${8000 + r}`],
              methods: ['GET', 'POST'],
              paths: [`/api/v${r}/*`],
            },
          },
        ],
        from: [
          {
            source: { principals: [`cluster.local/ns/houston/sa/caller-${r}`] },
          },
        ],
      })),
    },
  }));
}
