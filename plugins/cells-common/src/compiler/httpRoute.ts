import { CellContext, KubeObject, meta } from './context';

/** North-south: one HTTPRoute per public HTTP endpoint, on the configured external Gateway. */
export function httpRoutes(ctx: CellContext): KubeObject[] {
  const { gateway } = ctx.settings;
  return ctx.components.flatMap(c =>
    c.endpoints
      .filter(e => e.visibility === 'public' && e.protocol === 'HTTP')
      .map(e => ({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: meta(ctx, `${c.name}-${e.name}`, c.ref),
        spec: {
          parentRefs: [
            { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: gateway.namespace, name: gateway.name },
          ],
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: '/' } }],
              backendRefs: [{ name: c.name, port: e.port }],
            },
          ],
        },
      })),
  );
}
