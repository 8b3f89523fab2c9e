import type { CellsApi } from '../api/CellsApi';
import { testTopology } from '../lib/testTopology';
import { testPortfolio } from '../lib/testPortfolio';

/**
 * A CellsApi of jest mocks answering from the test topology. The UI tests
 * mock the client, the one seam the brief allows; the client itself is
 * tested against fetch, and the real backend by the cells-backend tests.
 */
export function mockCellsApi(overrides: Partial<jest.Mocked<CellsApi>> = {}): jest.Mocked<CellsApi> {
  return {
    listCells: jest.fn(async () => ({ items: [] })),
    getCell: jest.fn(async (entityRef: string) => ({
      entityRef,
      title: 'Houston',
      owner: 'group:default/ground',
      components: [],
      grants: [],
      problems: [],
      compliance: { components: 2, protectedL3L4: 2, protectedMtls: 2, protectedL7: 1, wildcardPrincipals: 0, requestsChecked: 12, violations: 0 },
      environments: [
        {
          environment: 'dev',
          namespace: 'houston',
          target: { type: 'directory' as const, path: '/gitops' },
          state: 'drifted' as const,
          message: '1 object drifted',
          objects: [
            {
              apiVersion: 'networking.k8s.io/v1',
              kind: 'NetworkPolicy',
              namespace: 'houston',
              name: 'capcom-ingress',
              state: 'drifted' as const,
              diff: ['spec.ingress[0].from: houston -> everyone'],
            },
            { apiVersion: 'v1', kind: 'ServiceAccount', namespace: 'houston', name: 'flight-director', state: 'in-sync' as const },
          ],
        },
      ],
    })),
    getManifestsYaml: jest.fn(
      async () =>
        'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: capcom\n  namespace: houston\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: flight-director\n  namespace: houston\n',
    ),
    getPlan: jest.fn(),
    getReport: jest.fn(async (_entityRef: string, format: string) => ({ blob: new Blob([`${format} pack`]), filename: `default.houston.evidence.${format}` })),
    getBundleReport: jest.fn(async (scope: { owner: string } | { all: true }, format: string) => ({
      blob: new Blob([`${format} bundle`]),
      filename: `${'owner' in scope ? scope.owner.replace(/[:/]/g, '-') : 'all'}.evidence.${format}`,
    })),
    getPortfolio: jest.fn(async () => testPortfolio()),
    reconcile: jest.fn(),
    getRun: jest.fn(),
    getHistory: jest.fn(async () => ({
      items: [
        {
          id: 1,
          entityRef: 'system:default/houston',
          environment: 'dev',
          at: '2026-11-23T10:00:00Z',
          runId: 'r1',
          summary: '2 created; 1 request newly allowed',
          cause: { kind: 'startup' as const },
          created: [],
          updated: [],
          pruned: [],
          accessDiff: {
            added: [
              { from: 'houston/capcom', to: 'orion/comms-system', port: 8080, layer: 'L7', text: 'houston/capcom may now POST /uplink on orion/comms-system' },
            ],
            removed: [],
          },
        },
      ],
    })),
    simulate: jest.fn(async () => ({
      allowed: false,
      decidedBy: 'L7',
      explanation: 'denied at L7: no ALLOW policy of orion/comms-system admits spiffe://cluster.local/ns/houston/sa/rogue',
      layers: [
        { layer: 'L3/L4' as const, verdict: 'allow' as const, policies: ['orion/allow-houston'], reason: 'houston may reach port 8080' },
        { layer: 'mTLS' as const, verdict: 'allow' as const, policies: [], reason: 'STRICT mTLS, the caller has an identity' },
        { layer: 'L7' as const, verdict: 'deny' as const, policies: [], reason: 'no ALLOW policy admits the rogue identity' },
      ],
      hops: [],
    })),
    getTopology: jest.fn(async () => testTopology()),
    blastRadius: jest.fn(async () => ({
      environment: 'dev',
      from: 'component:default/capcom',
      reaches: [{ component: 'component:default/comms-system', endpoint: 'api', port: 8080, methods: ['POST'], paths: ['/uplink'] }],
      reachedBy: [],
      egress: [testTopology().egress[1]],
    })),
    listAttacks: jest.fn(async () => ({
      environment: 'dev',
      items: [
        {
          id: 'rogue-houston-comms',
          title: 'Rogue pod in houston -> orion/comms-system',
          body: { from: { rogue: 'houston' }, to: 'orion/comms-system', method: 'POST', path: '/uplink' },
        },
        {
          id: 'rogue-orion-director',
          title: 'Rogue pod in orion -> houston/flight-director',
          body: { from: { rogue: 'orion' }, to: 'houston/flight-director', method: 'GET', path: '/status' },
        },
      ],
      truncated: false,
    })),
    ...overrides,
  } as jest.Mocked<CellsApi>;
}
