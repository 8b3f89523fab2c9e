import { Entity } from '@backstage/catalog-model';
import { cell, component, withOwners } from '../testing/entities';
import { artemisEntities, artemisSettings } from '../testing/artemis';
import { buildCellModel, modelOptions } from '../validation/catalog';
import { cellDeclarationCounts } from './portfolio';

const JWT = { provider: 'artemis-idp' };
const http = (name: string, port: number, extra: Record<string, unknown> = {}) => ({ name, port, protocol: 'HTTP', visibility: 'organization', ...extra });

function counts(entities: Entity[], cellName = 'a', gateway: Record<string, unknown> = { requireAuthentication: false }) {
  const settings = artemisSettings(gateway);
  const { model, problems } = buildCellModel(withOwners(entities), modelOptions(settings));
  return { counts: cellDeclarationCounts(model, `system:default/${cellName}`), problems };
}

describe('cellDeclarationCounts: what a cell declares, for the portfolio', () => {
  // Each row: one declaration of cell a's component, and how it counts.
  it.each([
    ['a connection with a reason', { connections: [{ to: 'component:b-api', reason: 'reads orbits' }] }, { grants: 1, unreasonedGrants: 0 }],
    ['a connection without a reason', { connections: [{ to: 'component:b-api' }] }, { grants: 1, unreasonedGrants: 1 }],
    ['an allowFrom with a reason', { allowFrom: [{ component: 'component:b-api', reason: 'pushes telemetry' }] }, { grants: 1, unreasonedGrants: 0 }],
    ['an allowFrom without a reason', { allowFrom: [{ component: 'component:b-api' }] }, { grants: 1, unreasonedGrants: 1 }],
    // An allowFrom of a whole System becomes a grant per component of it: still one declaration.
    ['an allowFrom of a two-component System, no reason', { allowFrom: [{ system: 'system:b' }] }, { grants: 1, unreasonedGrants: 1 }],
    [
      'an egress host with a reason',
      { egress: [{ host: 'api.weather.gov', port: 443, protocol: 'TLS', reason: 'forecasts' }] },
      { grants: 1, unreasonedGrants: 0, egress: 1 },
    ],
    [
      'an egress network without a reason',
      { egress: [{ cidr: '10.20.0.0/16', ports: [5432], protocol: 'TCP' }] },
      { grants: 1, unreasonedGrants: 1, egress: 1 },
    ],
    ['nothing declared', {}, { grants: 0, unreasonedGrants: 0, egress: 0 }],
  ])('%s', (_, spec, expected) => {
    const entities = [
      cell('a', { cell: { egress: { hosts: ['api.weather.gov'], cidrs: ['10.20.0.0/16'] } } }),
      component('x', 'a', { endpoints: [http('http', 8080)], ...spec }),
      cell('b'),
      component('b-api', 'b', { endpoints: [http('http', 8080)], connections: [{ to: 'component:x' }] }),
      component('b-worker', 'b', { endpoints: [http('http', 8080)] }),
    ];
    const { counts: c, problems } = counts(entities);
    expect(problems).toEqual([]);
    expect(c).toEqual({ egress: 0, publicEndpoints: 0, publicWithoutAuth: 0, ...expected });
    // b-api's connection into a is b's declaration, not a's.
    expect(counts(entities, 'b').counts).toMatchObject({ grants: 1, unreasonedGrants: 1 });
  });

  // Each row: a public endpoint's auth, the platform's rule, and whether it counts as public and as without authentication.
  it.each([
    ['a token', { auth: JWT }, false, { publicEndpoints: 1, publicWithoutAuth: 0 }],
    ['auth: none', { auth: 'none' }, false, { publicEndpoints: 1, publicWithoutAuth: 1 }],
    ['no auth, allowed by the platform', {}, false, { publicEndpoints: 1, publicWithoutAuth: 1 }],
    // Refused by the platform's front-door rules: the gateway gets no grant, so the endpoint is not open.
    ['no auth, refused by the platform', {}, true, { publicEndpoints: 0, publicWithoutAuth: 0 }],
    ['auth: none, refused as strict', { auth: 'none' }, 'strict', { publicEndpoints: 0, publicWithoutAuth: 0 }],
  ])('a public endpoint with %s', (_, auth, requireAuthentication, expected) => {
    const entities = [cell('a'), component('x', 'a', { endpoints: [http('web', 8080, { visibility: 'public', ...auth }), http('internal', 8081)] })];
    expect(counts(entities, 'a', { requireAuthentication }).counts).toEqual({ grants: 0, unreasonedGrants: 0, egress: 0, ...expected });
  });

  it('counts nothing for a cell the model does not hold', () => {
    expect(counts([cell('a'), component('x', 'a', { connections: [] })], 'nope').counts).toEqual({
      grants: 0,
      unreasonedGrants: 0,
      egress: 0,
      publicEndpoints: 0,
      publicWithoutAuth: 0,
    });
  });

  it("counts the Artemis cells' declarations: houston's public flight-director route has a token", () => {
    const settings = artemisSettings();
    const { model } = buildCellModel(artemisEntities(), modelOptions(settings));
    const houston = cellDeclarationCounts(model, 'system:default/houston');
    expect(houston.publicEndpoints).toBe(1);
    expect(houston.publicWithoutAuth).toBe(0);
    expect(houston.grants).toBeGreaterThan(0);
    expect(houston.unreasonedGrants).toBeLessThanOrEqual(houston.grants);
  });
});
