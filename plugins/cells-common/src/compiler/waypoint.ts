import { WAYPOINT_FOR_LABEL } from '../labels/keys';
import { CellContext, HBONE_PORT, KubeObject, meta } from './context';

/** The cell's waypoint: where L7 policy is enforced for service-addressed traffic. */
export function waypoint(ctx: CellContext): KubeObject[] {
  if (!ctx.settings.mesh.enabled) return [];
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: meta(ctx, ctx.settings.mesh.waypointName, ctx.cell.ref, { [WAYPOINT_FOR_LABEL]: 'service' }),
      spec: {
        gatewayClassName: 'istio-waypoint',
        listeners: [{ name: 'mesh', port: HBONE_PORT, protocol: 'HBONE' }],
      },
    },
  ];
}
