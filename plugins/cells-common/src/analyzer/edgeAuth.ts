import { EndpointAuth, EndpointRateLimit } from '../model/types';
import { JwtProvider } from '../settings/settings';
import { claimValues, RequestToken } from './token';

/** Why the front door let a request through or refused it. */
export type EdgeAuthReason = 'open' | 'authenticated' | 'provider-not-configured' | 'no-token' | 'unknown-issuer' | 'wrong-audience' | 'missing-claim';

export interface EdgeAuthResult {
  verdict: 'allow' | 'deny';
  reason: EdgeAuthReason;
  /** In words, naming the provider, claim or audience. */
  message: string;
  /** The endpoint's rate limit: reported with the verdict, never simulated (a single request cannot exceed it). */
  rateLimit?: EndpointRateLimit;
}

const deny = (reason: EdgeAuthReason, message: string): EdgeAuthResult => ({ verdict: 'deny', reason, message });

/**
 * The edge-authentication layer: what the external gateway (Envoy Gateway) or
 * the cell's waypoint (Istio) decides about a request from outside, from the
 * endpoint's `auth`, the platform's providers and the request's token (or
 * none). Checks in the order the data plane applies them: provider, token,
 * issuer, audiences (the provider's, then the endpoint's), claims.
 */
export function decideEdgeAuth(
  auth: EndpointAuth | undefined,
  providers: readonly JwtProvider[],
  token: RequestToken | undefined,
  rateLimit?: EndpointRateLimit,
): EdgeAuthResult {
  const result = decide(auth, providers, token);
  return rateLimit ? { ...result, rateLimit } : result;
}

function decide(auth: EndpointAuth | undefined, providers: readonly JwtProvider[], token: RequestToken | undefined): EdgeAuthResult {
  if (!auth) return { verdict: 'allow', reason: 'open', message: 'the endpoint requires no authentication (cells.gateway.requireAuthentication is false)' };
  if (auth.kind === 'none') return { verdict: 'allow', reason: 'open', message: 'the endpoint declares auth: none (open to anyone)' };
  const provider = providers.find(p => p.name === auth.provider);
  if (!provider) {
    return deny('provider-not-configured', `provider ${auth.provider} is not in cells.gateway.jwtProviders, so the route is closed to everyone`);
  }
  if (!token) return deny('no-token', `no token; the endpoint requires one from ${provider.name} (${provider.issuer})`);
  if (token.issuer !== provider.issuer) {
    return deny('unknown-issuer', `the token's issuer ${token.issuer ?? '(none)'} is not ${provider.name}'s (${provider.issuer})`);
  }
  for (const [whose, audiences] of [
    [`${provider.name}'s`, provider.audiences],
    ["the endpoint's", auth.audiences],
  ] as const) {
    if (audiences && !audiences.some(a => token.audiences.includes(a))) {
      return deny('wrong-audience', `the token's audiences [${token.audiences.join(', ')}] hold none of ${whose} [${audiences.join(', ')}]`);
    }
  }
  for (const claim of auth.claims ?? []) {
    const held = claimValues(token, claim.name);
    const missing = claim.values.find(v => !held.includes(v));
    if (missing !== undefined) return deny('missing-claim', `the token's claim ${claim.name} does not hold ${missing}`);
  }
  return {
    verdict: 'allow',
    reason: 'authenticated',
    message: `a token of ${provider.name} for ${token.issuer}/${token.subject ?? ''} with every required audience and claim`,
  };
}
