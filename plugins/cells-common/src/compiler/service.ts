import { CellComponent } from '../model/types';
import { INGRESS_USE_WAYPOINT_LABEL } from '../labels/keys';
import { CellContext, KubeObject, meta, podLabels } from './context';

const APP_PROTOCOL = { HTTP: 'http', GRPC: 'grpc', TCP: 'tcp', UDP: 'udp' } as const;

export function isPublic(component: CellComponent): boolean {
  return component.endpoints.some(e => e.visibility === 'public');
}

/** The Service each AuthorizationPolicy targets (skipped with services: bring-your-own). */
export function services(ctx: CellContext): KubeObject[] {
  if (ctx.settings.services !== 'generate') return [];
  return ctx.components
    .filter(c => c.endpoints.length > 0)
    .map(c => {
      const metadata = meta(ctx, c.name, c.ref);
      if (ctx.settings.mesh.enabled && isPublic(c)) {
        // Gateway traffic skips the waypoint unless the Service opts in (reference L3.11).
        metadata.labels[INGRESS_USE_WAYPOINT_LABEL] = 'true';
      }
      return {
        apiVersion: 'v1',
        kind: 'Service',
        metadata,
        spec: {
          selector: podLabels(ctx, c),
          ports: [...c.endpoints]
            .sort((a, b) => a.port - b.port)
            .map(e => ({
              name: e.name,
              port: e.port,
              targetPort: e.port,
              protocol: e.protocol === 'UDP' ? 'UDP' : 'TCP',
              appProtocol: APP_PROTOCOL[e.protocol],
            })),
        },
      };
    });
}
