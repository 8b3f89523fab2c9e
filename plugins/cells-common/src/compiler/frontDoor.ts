import { EndpointAuth, EndpointSpec } from '../model/types';
import { JwtProvider } from '../settings/settings';
import { CellContext, KubeObject, meta } from './context';
import { frontDoorName } from './names';
import { publicRoutes, PublicRoute } from './routes';

/** A public route with what its endpoint requires at the front door. */
export interface GuardedRoute {
  route: PublicRoute;
  endpoint: EndpointSpec;
  auth?: EndpointAuth;
  /** The provider `auth` names, when the settings define it; undefined with a jwt `auth`: the route is closed to everyone. */
  provider?: JwtProvider;
}

/** The public routes of the cell that carry an `auth` or a `rateLimit`, with their providers. */
export function guardedRoutes(ctx: CellContext): GuardedRoute[] {
  return publicRoutes(ctx).routes.flatMap(route => {
    const endpoint = ctx.component(route.component).endpoints.find(e => e.name === route.endpoint)!;
    if (!endpoint.auth && !endpoint.rateLimit) return [];
    const auth = endpoint.auth;
    const provider = auth?.kind === 'jwt' ? ctx.settings.gateway.jwtProviders.find(p => p.name === auth.provider) : undefined;
    return [{ route, endpoint, ...(auth ? { auth } : {}), ...(provider ? { provider } : {}) }];
  });
}

/**
 * Whether the configured gateway cannot enforce the endpoint's `auth` at all:
 * Istio checks tokens at the cell's waypoint, which only the mesh has. The
 * catalog reports it (validation/frontDoor.ts); the compiler closes the route.
 */
export function unenforceableAuth(settings: CellContext['settings'], endpoint: EndpointSpec): boolean {
  return endpoint.auth?.kind === 'jwt' && settings.gateway.implementation === 'istio' && !settings.mesh.enabled;
}

/**
 * The context without the gateway's grants to endpoints whose `auth` the
 * gateway cannot enforce: no route, no L3/L4 rule, no L7 rule is written for
 * them. A model built with the platform's rules has no such grants (the
 * catalog refused them); this keeps any other model closed too.
 */
export function withEnforceableFrontDoor(ctx: CellContext): CellContext {
  const closed = (g: CellContext['inbound'][number]) =>
    g.caller.kind === 'gateway' && unenforceableAuth(ctx.settings, ctx.component(g.callee).endpoints.find(e => e.name === g.endpoint)!);
  return ctx.inbound.some(closed) ? { ...ctx, inbound: ctx.inbound.filter(g => !closed(g)) } : ctx;
}

/**
 * Istio (cells.gateway.implementation: istio): the front door is the cell's
 * own waypoint, which every request from the gateway passes (the component
 * accepts nothing but its waypoint). Per cell, a RequestAuthentication bound
 * to the waypoint tells it each provider's issuer and keys; per guarded
 * endpoint, a DENY AuthorizationPolicy bound to the component's Service
 * refuses requests from the gateway's principal on the endpoint's port
 * without a token of the provider, without a required audience, or without a
 * required claim value. A provider the settings do not define denies every
 * request from the gateway (fail closed). The objects stay in the cell's
 * namespace, the only one a cell's objects are applied to; see
 * docs/front-door.md for why not the external Gateway's.
 */
export function istioFrontDoor(ctx: CellContext): KubeObject[] {
  if (ctx.settings.gateway.implementation !== 'istio' || !ctx.settings.mesh.enabled) return [];
  const guarded = guardedRoutes(ctx).filter(g => g.auth?.kind === 'jwt');
  if (guarded.length === 0) return [];
  const providers = new Map<string, JwtProvider>();
  guarded.forEach(g => g.provider && providers.set(g.provider.name, g.provider));
  const objects: KubeObject[] = [];
  if (providers.size > 0) {
    objects.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: meta(ctx, ctx.settings.mesh.waypointName, ctx.cell.ref),
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: ctx.settings.mesh.waypointName }],
        jwtRules: [...providers.values()].map(p => ({
          issuer: p.issuer,
          ...(p.jwksUri ? { jwksUri: p.jwksUri } : { jwks: p.jwks }),
          ...(p.audiences ? { audiences: p.audiences } : {}),
          // The component reads the caller from the token, as the gateway passed it.
          forwardOriginalToken: true,
        })),
      },
    });
  }
  const gateway = ctx.settings.gateway.principal;
  for (const { route, endpoint, auth, provider } of guarded) {
    if (auth?.kind !== 'jwt') continue;
    const from = [{ source: { principals: [gateway] } }];
    const to = [{ operation: { ports: [String(endpoint.port)] } }];
    const rules: Record<string, unknown>[] = [];
    if (!provider) {
      rules.push({ from, to });
    } else {
      rules.push({ from: [{ source: { principals: [gateway], notRequestPrincipals: [`${provider.issuer}/*`] } }], to });
      // The provider's own audiences are the RequestAuthentication's; the endpoint's narrow them here.
      if (auth.audiences) rules.push({ from, to, when: [{ key: 'request.auth.audiences', notValues: auth.audiences }] });
      // One rule per required value: a token must hold every one (a list claim holds a value when any element equals it).
      for (const claim of auth.claims ?? []) {
        for (const value of claim.values) rules.push({ from, to, when: [{ key: `request.auth.claims[${claim.name}]`, notValues: [value] }] });
      }
    }
    objects.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: meta(ctx, frontDoorName(route.componentName, route.endpoint), route.component),
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: route.componentName }],
        action: 'DENY',
        rules,
      },
    });
  }
  return objects;
}
