import { EgressContext, egressMeta, hostObjectName, KubeObject } from './context';
import { isWildcardHost } from '../../validation/network';

/**
 * One ServiceEntry per external host for every cell together: ztunnel ignores
 * exportTo, so a ServiceEntry is cluster-wide and two for one host would
 * conflict (docs/egress.md). Its namespace uses the egress waypoint, so mesh
 * traffic for the host goes through it.
 */
export function serviceEntries(ctx: EgressContext): KubeObject[] {
  return ctx.hosts.map(h => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: egressMeta(
      ctx,
      hostObjectName(h.host),
      h.callers.map(c => c.ref),
    ),
    spec: {
      hosts: [h.host],
      location: 'MESH_EXTERNAL',
      // A wildcard has no one address to resolve; the waypoint resolves each request's host.
      resolution: isWildcardHost(h.host) ? 'DYNAMIC_DNS' : 'DNS',
      ports: [...h.ports.entries()].sort(([a], [b]) => a - b).map(([number, protocol]) => ({ number, name: `${protocol.toLowerCase()}-${number}`, protocol })),
    },
  }));
}
