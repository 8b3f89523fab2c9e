import { EndpointAuth } from '../model/types';
import { JwtProvider } from '../settings/settings';
import { decideEdgeAuth, EdgeAuthReason } from './edgeAuth';
import { RequestToken, tokenFromClaims } from './token';

const IDP: JwtProvider = { name: 'idp', issuer: 'https://idp.example', jwksUri: 'https://idp.example/keys', audiences: ['platform'] };
const OPEN_IDP: JwtProvider = { name: 'open-idp', issuer: 'https://open.example', jwks: '{"keys":[{}]}' };
const REQUIRED: EndpointAuth = { kind: 'jwt', provider: 'idp', audiences: ['flight-ops'], claims: [{ name: 'scope', values: ['mission.control'] }] };
const token = (claims: Record<string, unknown>): RequestToken => tokenFromClaims(claims);
const GOOD = { iss: IDP.issuer, sub: 'alice', aud: ['platform', 'flight-ops'], scope: 'mission.read mission.control' };

/** The edge-authentication layer's truth table: each row one thing wrong (or nothing), and the reason it must give. */
const ROWS: [string, EndpointAuth | undefined, JwtProvider[], RequestToken | undefined, 'allow' | 'deny', EdgeAuthReason][] = [
  ['no auth declared (requireAuthentication false)', undefined, [IDP], undefined, 'allow', 'open'],
  ['auth: none', { kind: 'none' }, [], undefined, 'allow', 'open'],
  ['a provider the settings lack, even with a token', REQUIRED, [OPEN_IDP], token(GOOD), 'deny', 'provider-not-configured'],
  ['no token', REQUIRED, [IDP], undefined, 'deny', 'no-token'],
  ["another provider's issuer", REQUIRED, [IDP, OPEN_IDP], token({ ...GOOD, iss: OPEN_IDP.issuer }), 'deny', 'unknown-issuer'],
  ['no issuer', REQUIRED, [IDP], token({ ...GOOD, iss: undefined }), 'deny', 'unknown-issuer'],
  ["none of the provider's audiences", REQUIRED, [IDP], token({ ...GOOD, aud: ['flight-ops'] }), 'deny', 'wrong-audience'],
  ["none of the endpoint's audiences", REQUIRED, [IDP], token({ ...GOOD, aud: 'platform' }), 'deny', 'wrong-audience'],
  ['the claim absent', REQUIRED, [IDP], token({ ...GOOD, scope: undefined }), 'deny', 'missing-claim'],
  ['the claim without the value', REQUIRED, [IDP], token({ ...GOOD, scope: 'mission.read' }), 'deny', 'missing-claim'],
  ['a value that only starts like the required one', REQUIRED, [IDP], token({ ...GOOD, scope: 'mission.controller' }), 'deny', 'missing-claim'],
  ['everything required, scope as a list', REQUIRED, [IDP], token({ ...GOOD, scope: ['mission.control'] }), 'allow', 'authenticated'],
  ['everything required, scope space-separated', REQUIRED, [IDP], token(GOOD), 'allow', 'authenticated'],
  [
    'a provider without audiences, an endpoint without claims',
    { kind: 'jwt', provider: 'open-idp' },
    [OPEN_IDP],
    token({ iss: OPEN_IDP.issuer }),
    'allow',
    'authenticated',
  ],
];

describe('the edge-authentication layer', () => {
  it.each(ROWS)('%s: %s', (_what, auth, providers, request, verdict, reason) => {
    expect(decideEdgeAuth(auth, providers, request)).toMatchObject({ verdict, reason });
  });

  it('needs every required value of a claim, not one of them', () => {
    const both: EndpointAuth = { kind: 'jwt', provider: 'idp', claims: [{ name: 'roles', values: ['director', 'duty'] }] };
    expect(decideEdgeAuth(both, [IDP], token({ ...GOOD, roles: ['director'] }))).toMatchObject({
      verdict: 'deny',
      message: expect.stringContaining('roles does not hold duty'),
    });
    expect(decideEdgeAuth(both, [IDP], token({ ...GOOD, roles: ['duty', 'director'] })).verdict).toBe('allow');
    // Only scope and permission are space-separated lists: another string claim is one value.
    expect(decideEdgeAuth(both, [IDP], token({ ...GOOD, roles: 'director duty' })).verdict).toBe('deny');
  });

  it('reports the rate limit with the verdict, allowed or not', () => {
    const rateLimit = { requests: 5, per: 'minute' as const, by: { kind: 'client-ip' as const } };
    expect(decideEdgeAuth({ kind: 'none' }, [], undefined, rateLimit)).toMatchObject({ verdict: 'allow', rateLimit });
    expect(decideEdgeAuth(REQUIRED, [IDP], undefined, rateLimit)).toMatchObject({ verdict: 'deny', rateLimit });
  });
});
