import type { PortfolioResponse, PortfolioRow } from '../api/types';

/** A portfolio row for tests: houston in dev, passing, with everything counted; `extra` overrides. */
export function portfolioRow(extra: Partial<PortfolioRow> = {}): PortfolioRow {
  return {
    entityRef: 'system:default/houston',
    title: 'houston',
    owner: 'group:default/houston-flight-ops',
    environment: 'dev',
    verification: { source: 'analysis', result: 'pass', at: '2026-12-01T09:00:00.000Z', requestsChecked: 40, violations: 0 },
    lastAccessChange: { at: '2026-11-21T09:00:00.000Z', summary: '2 created', days: 10 },
    grants: 12,
    unreasonedGrants: 3,
    unusedGrants: 2,
    publicEndpoints: 1,
    publicWithoutAuth: 0,
    egress: 0,
    ...extra,
  };
}

/** Three cells of two owners, one failing, one without traffic read. */
export function testPortfolio(): PortfolioResponse {
  return {
    generatedAt: '2026-12-01T09:00:00.000Z',
    traffic: [{ environment: 'dev', state: 'read', window: { from: '2026-11-30T09:00:00.000Z', to: '2026-12-01T09:00:00.000Z' } }],
    items: [
      portfolioRow(),
      portfolioRow({
        entityRef: 'system:default/kennedy',
        title: 'kennedy',
        owner: 'group:default/kennedy-launch-team',
        verification: { source: 'analysis', result: 'fail', at: '2026-12-01T09:00:00.000Z', requestsChecked: 30, violations: 2 },
        lastAccessChange: { at: '2026-11-30T09:00:00.000Z', summary: 'a call, "launch"', days: 1 },
        grants: 5,
        unreasonedGrants: 0,
        unusedGrants: 7,
        egress: 2,
      }),
      portfolioRow({
        entityRef: 'system:default/orion',
        title: 'orion',
        owner: 'group:default/houston-flight-ops',
        lastAccessChange: undefined,
        grants: 4,
        unreasonedGrants: 4,
        unusedGrants: undefined,
        publicEndpoints: 0,
        egress: 1,
      }),
    ],
  };
}
