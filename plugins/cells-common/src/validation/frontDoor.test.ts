import { Entity } from '@backstage/catalog-model';
import { cell, component, withOwners } from '../testing/entities';
import { buildCellModel } from './catalog';
import { FrontDoorRules } from './frontDoor';

const ISTIO: FrontDoorRules = { implementation: 'istio', requireAuthentication: true, mesh: true };
const endpoint = (extra: Record<string, unknown>, visibility = 'public') => ({ name: 'http', port: 8080, protocol: 'HTTP', visibility, ...extra });

function build(extra: Record<string, unknown>, frontDoor: FrontDoorRules = ISTIO, visibility = 'public') {
  const entities: Entity[] = [
    cell('a'),
    component('web', 'a', { endpoints: [endpoint(extra, visibility)] }),
    component('caller', 'a', { connections: [{ to: 'web', endpoint: 'http' }] }),
  ];
  return buildCellModel(withOwners(entities), { defaultEnvironments: ['development'], frontDoor });
}

const gatewayGrants = (extra: Record<string, unknown>, frontDoor?: FrontDoorRules) =>
  build(extra, frontDoor).model.grants.filter(g => g.caller.kind === 'gateway');
const problems = (extra: Record<string, unknown>, frontDoor?: FrontDoorRules, visibility?: string) =>
  build(extra, frontDoor, visibility).problems.map(p => `${p.field}: ${p.message} Fix: ${p.fix}`);

describe('a public endpoint at the front door', () => {
  it('reads auth and rateLimit into the model', () => {
    const { model, problems: found } = build(
      {
        auth: { provider: 'corp', audiences: ['b', 'a'], claims: { scope: ['y', 'x'], roles: ['r'] } },
        rateLimit: { requests: 10, per: 'minute', by: 'header:X-Client' },
      },
      { ...ISTIO, implementation: 'envoy-gateway' },
    );
    expect(found).toEqual([]);
    expect(model.components.find(c => c.name === 'web')!.endpoints[0]).toMatchObject({
      auth: {
        kind: 'jwt',
        provider: 'corp',
        audiences: ['a', 'b'],
        claims: [
          { name: 'roles', values: ['r'] },
          { name: 'scope', values: ['x', 'y'] },
        ],
      },
      rateLimit: { requests: 10, per: 'minute', by: { kind: 'header', name: 'x-client' } },
    });
  });

  // The settings-dependent rules: what each combination of requireAuthentication and auth gives.
  it.each([
    [true, undefined, false],
    [true, 'none', true],
    [true, { provider: 'corp' }, true],
    ['strict', 'none', false],
    ['strict', { provider: 'corp' }, true],
    [false, undefined, true],
    [false, 'none', true],
  ] as const)('with requireAuthentication %s and auth %j, the gateway is granted: %s', (requireAuthentication, auth, granted) => {
    const extra = auth === undefined ? {} : { auth };
    const rules = { ...ISTIO, requireAuthentication };
    expect(gatewayGrants(extra, rules).length).toBe(granted ? 1 : 0);
    expect(problems(extra, rules).length).toBe(granted ? 0 : 1);
  });

  it('names the entity, the field and the fix when auth is missing, and keeps the endpoint for callers inside', () => {
    const { model, problems: found } = build({});
    expect(found).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/web',
        field: 'spec.endpoints[0].auth',
        fix: expect.stringContaining('auth: none to leave it open to anyone on purpose'),
      }),
    ]);
    expect(model.grants.map(g => (g.caller.kind === 'component' ? g.caller.ref : 'gateway'))).toEqual(['component:default/caller']);
  });

  it('refuses a rate limit Istio cannot enforce, naming the setting that would', () => {
    const rateLimit = { requests: 5, per: 'second', by: 'client-ip' };
    expect(problems({ auth: 'none', rateLimit })).toEqual([
      expect.stringMatching(/^spec\.endpoints\[0\]\.rateLimit: .*cells\.gateway\.implementation: envoy-gateway/),
    ]);
    expect(problems({ auth: 'none', rateLimit }, { ...ISTIO, implementation: 'envoy-gateway' })).toEqual([]);
  });

  it('refuses a token Istio cannot check without the mesh', () => {
    expect(problems({ auth: { provider: 'corp' } }, { ...ISTIO, mesh: false })).toEqual([expect.stringMatching(/^spec\.endpoints\[0\]\.auth: .*mesh/)]);
    expect(problems({ auth: { provider: 'corp' } }, { ...ISTIO, mesh: false, implementation: 'envoy-gateway' })).toEqual([]);
  });

  it.each([
    [{ auth: 'None' }, 'spec.endpoints[0].auth'],
    [{ auth: { provider: 'corp', claim: { scope: ['x'] } } }, 'spec.endpoints[0].auth.claim'],
    [{ auth: { provider: '' } }, 'spec.endpoints[0].auth.provider'],
    [{ auth: { provider: 'corp', audiences: ['*'] } }, 'spec.endpoints[0].auth.audiences'],
    [{ auth: { provider: 'corp', claims: { scope: ['mission.*'] } } }, 'spec.endpoints[0].auth.claims.scope'],
    [{ auth: { provider: 'corp', claims: { 'a[b]': ['x'] } } }, 'spec.endpoints[0].auth.claims.a[b]'],
    [{ auth: { provider: 'corp', claims: {} } }, 'spec.endpoints[0].auth.claims'],
    [{ auth: 'none', rateLimit: { requests: 0, per: 'minute' } }, 'spec.endpoints[0].rateLimit.requests'],
    [{ auth: 'none', rateLimit: { requests: 5, per: 'day' } }, 'spec.endpoints[0].rateLimit.per'],
    [{ auth: 'none', rateLimit: { requests: 5, per: 'minute', by: 'cookie:x' } }, 'spec.endpoints[0].rateLimit.by'],
    [{ auth: 'none', rateLimit: { requests: 5, per: 'minute', by: 'claim:sub' } }, 'spec.endpoints[0].rateLimit.by'],
    [{ auth: 'none', rateLimit: { request: 5, per: 'minute' } }, 'spec.endpoints[0].rateLimit.request'],
  ])('refuses %j at %s, and grants the gateway nothing', (extra, field) => {
    const rules = { ...ISTIO, implementation: 'envoy-gateway' as const };
    expect(build(extra, rules).problems.map(p => p.field)).toContain(field);
    expect(gatewayGrants(extra, rules)).toEqual([]);
  });

  it('refuses auth and rateLimit on an endpoint the gateway cannot reach', () => {
    expect(problems({ auth: 'none' }, ISTIO, 'organization')).toContainEqual(expect.stringMatching(/^spec\.endpoints\[0\]\.auth: .*not public/));
  });
});
