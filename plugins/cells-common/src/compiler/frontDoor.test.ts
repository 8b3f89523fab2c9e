import { cell, component, withOwners } from '../testing/entities';
import { DEFAULT_SETTINGS, CellsSettings, JwtProvider } from '../settings/settings';
import { buildCellModel } from '../validation/catalog';
import { compileCells, KubeObject } from './index';

const IDP: JwtProvider = { name: 'idp', issuer: 'https://idp.example', jwksUri: 'https://idp.example/keys', audiences: ['platform'] };

function settingsWith(gateway: Partial<CellsSettings['gateway']>, mesh = true): CellsSettings {
  return { ...DEFAULT_SETTINGS, mesh: { ...DEFAULT_SETTINGS.mesh, enabled: mesh }, gateway: { ...DEFAULT_SETTINGS.gateway, jwtProviders: [IDP], ...gateway } };
}

/** One cell with one public endpoint carrying `front` (auth, rateLimit), compiled; the model built without platform rules, as a backend that recompiles an older model. */
function compile(front: Record<string, unknown>, settings: CellsSettings): KubeObject[] {
  const entities = [cell('shop'), component('web', 'shop', { endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'public', ...front }] })];
  const { model } = buildCellModel(withOwners(entities), {
    defaultEnvironments: ['development'],
    frontDoor: { implementation: 'envoy-gateway', requireAuthentication: false, mesh: true },
  });
  const result = compileCells(model, settings);
  expect(result.problems).toEqual([]);
  return result.cells[0].objects;
}

const FRONT_DOOR_KINDS = ['RequestAuthentication', 'SecurityPolicy', 'BackendTrafficPolicy', 'HTTPRoute'];
/** The route and the objects of its front door, in output order. */
const kinds = (objects: KubeObject[]) =>
  objects.filter(o => FRONT_DOOR_KINDS.includes(o.kind) || o.metadata.name.endsWith('.front-door')).map(o => `${o.kind} ${o.metadata.name}`);
const GATEWAY = DEFAULT_SETTINGS.gateway.principal;
const REQUIRED = { auth: { provider: 'idp', audiences: ['shop'], claims: { scope: ['orders.write', 'orders.read'] } } };

describe('the front door, compiled', () => {
  it('Istio: a RequestAuthentication on the waypoint, and a DENY for the gateway without the token, the audience or each claim value', () => {
    const objects = compile(REQUIRED, settingsWith({}));
    expect(kinds(objects)).toEqual(['RequestAuthentication waypoint', 'AuthorizationPolicy web.http.front-door', 'HTTPRoute web.http']);
    const auth = objects.find(o => o.kind === 'RequestAuthentication')!;
    expect(auth.spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }],
      jwtRules: [{ issuer: IDP.issuer, jwksUri: IDP.jwksUri, audiences: ['platform'], forwardOriginalToken: true }],
    });
    const deny = objects.find(o => o.metadata.name === 'web.http.front-door')!.spec as any;
    expect(deny.action).toBe('DENY');
    expect(deny.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'web' }]);
    // Every rule names the gateway only: calls between components never meet the front door.
    expect(deny.rules.every((r: any) => r.from[0].source.principals.length === 1 && r.from[0].source.principals[0] === GATEWAY)).toBe(true);
    expect(deny.rules.map((r: any) => r.from[0].source.notRequestPrincipals ?? r.when)).toEqual([
      [`${IDP.issuer}/*`],
      [{ key: 'request.auth.audiences', notValues: ['shop'] }],
      [{ key: 'request.auth.claims[scope]', notValues: ['orders.read'] }],
      [{ key: 'request.auth.claims[scope]', notValues: ['orders.write'] }],
    ]);
  });

  it('closes the route to everyone when the provider is not configured (Istio: a DENY of every request from the gateway)', () => {
    const objects = compile(REQUIRED, settingsWith({ jwtProviders: [] }));
    expect(objects.some(o => o.kind === 'RequestAuthentication')).toBe(false);
    const deny = objects.find(o => o.metadata.name === 'web.http.front-door')!.spec as any;
    expect(deny.rules).toEqual([{ from: [{ source: { principals: [GATEWAY] } }], to: [{ operation: { ports: ['8080'] } }] }]);
    const eg = compile(REQUIRED, settingsWith({ jwtProviders: [], implementation: 'envoy-gateway' }));
    expect(eg.find(o => o.kind === 'SecurityPolicy')!.spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'web.http' }],
      authorization: { defaultAction: 'Deny' },
    });
  });

  it('writes nothing for auth: none, and no route where Istio cannot check a token (the mesh off)', () => {
    expect(kinds(compile({ auth: 'none' }, settingsWith({})))).toEqual(['HTTPRoute web.http']);
    const noMesh = compile(REQUIRED, settingsWith({}, false));
    expect(kinds(noMesh)).toEqual([]);
    // Nor an L3/L4 rule admitting the gateway's pods.
    expect(JSON.stringify(noMesh.filter(o => o.kind === 'NetworkPolicy'))).not.toContain('gateway-system');
  });

  it('Envoy Gateway: a SecurityPolicy that denies by default and a BackendTrafficPolicy per client', () => {
    const objects = compile({ ...REQUIRED, rateLimit: { requests: 7, per: 'hour', by: 'claim:sub' } }, settingsWith({ implementation: 'envoy-gateway' }));
    expect(kinds(objects)).toEqual(['SecurityPolicy web.http.front-door', 'BackendTrafficPolicy web.http', 'HTTPRoute web.http']);
    const security = objects.find(o => o.kind === 'SecurityPolicy')!.spec as any;
    expect(security.jwt.providers).toEqual([
      {
        name: 'idp',
        issuer: IDP.issuer,
        audiences: ['platform'],
        remoteJWKS: { uri: IDP.jwksUri },
        claimToHeaders: [{ header: 'x-cellplane-claim-sub', claim: 'sub' }],
      },
    ]);
    expect(security.authorization).toEqual({
      defaultAction: 'Deny',
      rules: [
        {
          name: 'required-token',
          action: 'Allow',
          principal: {
            jwt: { provider: 'idp', claims: [{ name: 'aud', values: ['shop'], valueType: 'StringArray' }], scopes: ['orders.read', 'orders.write'] },
          },
        },
      ],
    });
    const traffic = objects.find(o => o.kind === 'BackendTrafficPolicy')!.spec as any;
    expect(traffic.rateLimit).toEqual({
      type: 'Local',
      local: { rules: [{ clientSelectors: [{ headers: [{ name: 'x-cellplane-claim-sub', type: 'Distinct' }] }], limit: { requests: 7, unit: 'Hour' } }] },
    });
    // Per address family: no client outside every rule.
    const byIp = compile({ auth: 'none', rateLimit: { requests: 1, per: 'second' } }, settingsWith({ implementation: 'envoy-gateway' }));
    const rules = (byIp.find(o => o.kind === 'BackendTrafficPolicy')!.spec as any).rateLimit.local.rules;
    expect(rules.map((r: any) => r.clientSelectors[0].sourceCIDR.value)).toEqual(['0.0.0.0/0', '::/0']);
    expect(byIp.some(o => o.kind === 'SecurityPolicy')).toBe(false);
  });

  it('Envoy Gateway: each required value of another claim is its own entry (one entry matches any of its values)', () => {
    const objects = compile({ auth: { provider: 'idp', claims: { roles: ['a', 'b'] } } }, settingsWith({ implementation: 'envoy-gateway' }));
    const rule = (objects.find(o => o.kind === 'SecurityPolicy')!.spec as any).authorization.rules[0];
    expect(rule.principal.jwt.claims).toEqual([
      { name: 'roles', values: ['a'], valueType: 'StringArray' },
      { name: 'roles', values: ['b'], valueType: 'StringArray' },
    ]);
    // With nothing but the provider required, the (already checked) issuer is the rule's claim: a rule must name one.
    const bare = compile({ auth: { provider: 'idp' } }, settingsWith({ implementation: 'envoy-gateway' }));
    expect((bare.find(o => o.kind === 'SecurityPolicy')!.spec as any).authorization.rules[0].principal.jwt.claims).toEqual([
      { name: 'iss', values: [IDP.issuer], valueType: 'String' },
    ]);
  });
});
