import { CellContext, KubeObject, meta } from './context';
import { routeName } from './names';
import { publicRoutes } from './routes';

/**
 * North-south: one HTTPRoute per public HTTP endpoint, on the configured
 * external Gateway, at the endpoint's own hostname and path (cells.gateway.routes).
 * The path prefix is stripped, so the component serves its own paths and its
 * L7 policy (enforced after the gateway) sees them.
 */
export function httpRoutes(ctx: CellContext): KubeObject[] {
  const { gateway } = ctx.settings;
  return publicRoutes(ctx).routes.map(route => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: meta(ctx, routeName(route.componentName, route.endpoint), route.component),
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: gateway.namespace, name: gateway.name }],
      ...(route.hostname !== undefined ? { hostnames: [route.hostname] } : {}),
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: route.path } }],
          ...(route.path !== '/' ? { filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }] } : {}),
          backendRefs: [{ name: route.componentName, port: route.port }],
        },
      ],
    },
  }));
}
