import { compareText } from '../../order';
import { EgressContext, egressMeta, ExternalHost, hostObjectName, KubeObject } from './context';

/**
 * One rule per (port, methods, paths) listing exactly the principals that
 * declared it. TLS adds the SNI condition: the waypoint sees no more of TLS
 * (docs/egress.md, "What each layer enforces").
 */
function rulesOf(host: ExternalHost) {
  const rules = new Map<string, { port: number; methods?: string[]; paths?: string[]; tls: boolean; principals: Set<string> }>();
  for (const caller of host.callers) {
    const { entry } = caller;
    for (const port of entry.ports) {
      const key = JSON.stringify([port, entry.methods ?? null, entry.paths ?? null]);
      const rule = rules.get(key) ?? { port, methods: entry.methods, paths: entry.paths, tls: entry.protocol === 'TLS', principals: new Set<string>() };
      rule.principals.add(caller.principal);
      rules.set(key, rule);
    }
  }
  return [...rules.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([, r]) => ({
      from: [{ source: { principals: [...r.principals].sort(compareText) } }],
      to: [{ operation: { ports: [String(r.port)], ...(r.methods ? { methods: r.methods } : {}), ...(r.paths ? { paths: r.paths } : {}) } }],
      ...(r.tls ? { when: [{ key: 'connection.sni', values: [host.host] }] } : {}),
    }));
}

/** One ALLOW policy per host, bound to its ServiceEntry: enforced by the egress waypoint only. */
export function egressAuthorizationPolicies(ctx: EgressContext): KubeObject[] {
  return ctx.hosts.map(h => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: egressMeta(ctx, hostObjectName(h.host), [...h.callers.map(c => c.ref), ...ctx.audited.map(a => a.ref)]),
    spec: {
      targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: hostObjectName(h.host) }],
      action: 'ALLOW',
      rules: [
        ...rulesOf(h),
        // A cell in audit: any of its pods, any port and operation of the host (docs/rollout.md).
        ...(ctx.audited.length ? [{ from: [{ source: { namespaces: ctx.audited.map(a => a.namespace) } }] }] : []),
      ],
    },
  }));
}
