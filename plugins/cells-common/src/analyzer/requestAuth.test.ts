import { buildCellModel } from '../validation/catalog';
import { artemisEntities, artemisSettings } from '../testing/artemis';
import { createSimulation, podKey } from '../verify/simulation';
import { calleeEndpoint } from '../verify/simulate';
import { sufficientToken } from '../verify/frontDoor';
import { istioStringMatches } from './authorization';
import { listMatch, requestPrincipals, tokenConditionValues } from './requestAuth';
import { tokenFromClaims } from './token';
import { requestVerdicts } from './request';

const TOKEN = tokenFromClaims({ iss: 'https://idp', sub: 'alice', aud: ['a', 'b'], scope: 'x y', roles: ['r'] });

describe('what a policy reads from the token', () => {
  it.each([
    ['request.auth.principal', TOKEN, ['https://idp/alice']],
    ['request.auth.audiences', TOKEN, ['a', 'b']],
    ['request.auth.claims[scope]', TOKEN, ['x', 'y']],
    ['request.auth.claims[roles]', TOKEN, ['r']],
    ['request.auth.claims[missing]', TOKEN, []],
    ['request.auth.audiences', null, []],
    ['request.auth.audiences', undefined, null],
    ['request.auth.claims[a][b]', TOKEN, undefined],
    ['request.headers[x]', TOKEN, undefined],
  ] as const)('%s of %j: %j', (key, token, values) => {
    expect(tokenConditionValues(key, token)).toEqual(values);
  });

  it.each([
    // values, attributes, negated: verdict (a list matches when any element matches any value)
    [['a'], ['b', 'a'], false, 'yes'],
    [['a'], ['b'], false, 'no'],
    [['a'], [], false, 'no'],
    [['a'], [], true, 'yes'],
    [['a'], null, true, 'unknown'],
    [['https://idp/*'], ['https://idp/alice'], true, 'no'],
    [undefined, null, false, 'yes'],
  ] as const)('values %j over %j (negated %s): %s', (values, attrs, negate, verdict) => {
    expect(listMatch(values as string[] | undefined, attrs as string[] | null, negate, istioStringMatches)).toBe(verdict);
  });

  it('no token has no request principal; an undescribed one is unknown', () => {
    expect(requestPrincipals(null)).toEqual([]);
    expect(requestPrincipals(undefined)).toBeNull();
  });
});

describe('verdicts in bulk with tokens', () => {
  it("never reuses one request's token verdict for another request from the same source", () => {
    const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });
    const sim = createSimulation(model, artemisSettings(), 'development');
    const cluster = sim.cluster();
    const director = model.components.find(c => c.name === 'flight-director')!;
    const token = sufficientToken(sim, calleeEndpoint(sim, director.ref).endpoint)!;
    const to = `${sim.namespaceOf(director.cell)}/${director.name}`;
    const ask = (t: typeof token | null) =>
      requestVerdicts(cluster, podKey(sim.gatewayObjects()[1]), to, 8080, 'TCP', [{ method: 'POST', path: '/decision/abort', token: t }]);
    expect(ask(token)).toEqual([true]);
    expect(ask(null)).toEqual([false]);
    expect(ask(token)).toEqual([true]);
    expect(ask({ ...token, issuer: 'https://elsewhere' })).toEqual([false]);
  });
});
