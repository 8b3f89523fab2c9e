import { EndpointAuth, EndpointRateLimit } from '../model/types';
import { CellContext, KubeObject, meta } from './context';
import { guardedRoutes } from './frontDoor';
import { frontDoorName, routeName } from './names';

const UNITS: Record<EndpointRateLimit['per'], string> = { second: 'Second', minute: 'Minute', hour: 'Hour' };

/** The header a claim is copied to, so a rate limit can tell clients apart by it (Envoy Gateway's claimToHeaders). */
export function claimHeader(claim: string): string {
  return `x-cellplane-claim-${claim.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

/**
 * What a token must hold, as an authorization rule's principal: Envoy Gateway
 * matches a claim when it holds one of the listed values, so each required
 * value is its own claim entry (all must match); `scope` goes to `scopes`,
 * which reads the space-separated scope claim. A rule must name a claim or a
 * scope: with none required, the issuer (already checked) is the claim.
 */
function tokenRequirement(auth: Extract<EndpointAuth, { kind: 'jwt' }>, issuer: string) {
  const scopes = auth.claims?.find(c => c.name === 'scope')?.values;
  const claims = [
    ...(auth.claims ?? []).filter(c => c.name !== 'scope').flatMap(c => c.values.map(v => ({ name: c.name, values: [v], valueType: 'StringArray' }))),
    // One of the endpoint's audiences: a list in one entry.
    ...(auth.audiences ? [{ name: 'aud', values: auth.audiences, valueType: 'StringArray' }] : []),
  ];
  return {
    provider: auth.provider,
    ...(claims.length || !scopes ? { claims: claims.length ? claims : [{ name: 'iss', values: [issuer], valueType: 'String' }] } : {}),
    ...(scopes ? { scopes } : {}),
  };
}

/**
 * Envoy Gateway (cells.gateway.implementation: envoy-gateway): per guarded
 * public endpoint, a SecurityPolicy on its HTTPRoute (the provider's JWT
 * check, then an authorization that allows only tokens with the required
 * claims, deny by default), and for a rateLimit a BackendTrafficPolicy with a
 * local rate limit per client. A provider the settings do not define leaves
 * only the deny-by-default authorization: the route is closed to everyone.
 * Both live beside the HTTPRoute in the cell's namespace.
 */
export function envoyGatewayFrontDoor(ctx: CellContext): KubeObject[] {
  if (ctx.settings.gateway.implementation !== 'envoy-gateway') return [];
  const objects: KubeObject[] = [];
  for (const { route, endpoint, auth, provider } of guardedRoutes(ctx)) {
    const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: routeName(route.componentName, route.endpoint) }];
    const rateLimit = endpoint.rateLimit;
    const claimForLimit = rateLimit?.by.kind === 'claim' ? rateLimit.by.name : undefined;
    if (auth?.kind === 'jwt') {
      const rule = { name: 'required-token', action: 'Allow', principal: { jwt: tokenRequirement(auth, provider?.issuer ?? '') } };
      objects.push({
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'SecurityPolicy',
        metadata: meta(ctx, frontDoorName(route.componentName, route.endpoint), route.component),
        spec: {
          targetRefs,
          ...(provider
            ? {
                jwt: {
                  providers: [
                    {
                      name: provider.name,
                      issuer: provider.issuer,
                      // The endpoint's audiences narrow the provider's: a token must carry one of each (the authorization adds the endpoint's).
                      ...(provider.audiences ? { audiences: provider.audiences } : {}),
                      ...(provider.jwksUri ? { remoteJWKS: { uri: provider.jwksUri } } : { localJWKS: { type: 'Inline', inline: provider.jwks } }),
                      ...(claimForLimit ? { claimToHeaders: [{ header: claimHeader(claimForLimit), claim: claimForLimit }] } : {}),
                    },
                  ],
                },
              }
            : {}),
          authorization: {
            defaultAction: 'Deny',
            ...(provider ? { rules: [rule] } : {}),
          },
        },
      });
    }
    if (rateLimit) {
      const limit = { requests: rateLimit.requests, unit: UNITS[rateLimit.per] };
      // A rule's selectors must all match: one rule per address family, so no client is outside every rule.
      const rules =
        rateLimit.by.kind === 'client-ip'
          ? ['0.0.0.0/0', '::/0'].map(value => ({ clientSelectors: [{ sourceCIDR: { type: 'Distinct', value } }], limit }))
          : [
              {
                clientSelectors: [
                  { headers: [{ name: rateLimit.by.kind === 'header' ? rateLimit.by.name : claimHeader(rateLimit.by.name), type: 'Distinct' }] },
                ],
                limit,
              },
            ];
      objects.push({
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'BackendTrafficPolicy',
        metadata: meta(ctx, routeName(route.componentName, route.endpoint), route.component),
        spec: {
          targetRefs,
          rateLimit: {
            type: 'Local',
            local: { rules },
          },
        },
      });
    }
  }
  return objects;
}
