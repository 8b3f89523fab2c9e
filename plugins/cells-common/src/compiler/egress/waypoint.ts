import { AMBIENT_LABEL, USE_WAYPOINT_LABEL, WAYPOINT_FOR_LABEL } from '../../labels/keys';
import { HBONE_PORT } from '../context';
import { allSources, EgressContext, egressMeta, KubeObject } from './context';

/** The platform egress namespace: ambient, and everything in it (its ServiceEntries) uses the egress waypoint. */
export function egressNamespace(ctx: EgressContext): KubeObject {
  const { namespace: _omit, ...metadata } = egressMeta(ctx, ctx.namespace, allSources(ctx));
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      ...metadata,
      labels: {
        ...metadata.labels,
        [AMBIENT_LABEL]: 'ambient',
        [USE_WAYPOINT_LABEL]: ctx.settings.egress.waypointName,
        'pod-security.kubernetes.io/enforce': ctx.settings.podSecurity,
      },
    },
  };
}

/** The egress waypoint: the one way out of the mesh to a declared host. */
export function egressWaypoint(ctx: EgressContext): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: {
      ...egressMeta(ctx, ctx.settings.egress.waypointName, allSources(ctx)),
      labels: { ...egressMeta(ctx, '', []).labels, [WAYPOINT_FOR_LABEL]: 'service' },
    },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: HBONE_PORT, protocol: 'HBONE' }] },
  };
}
