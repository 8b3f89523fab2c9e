import { AMBIENT_LABEL, USE_WAYPOINT_LABEL } from '../labels/keys';
import { CellContext, KubeObject, meta } from './context';

/** The cell's namespace: ambient enrolment, its waypoint, Pod Security, OpenChoreo labels. */
export function namespaceObject(ctx: CellContext): KubeObject {
  const { settings } = ctx;
  const { namespace: _omit, ...metadata } = meta(ctx, ctx.namespace, ctx.cell.ref);
  const labels: Record<string, string> = { ...metadata.labels };
  if (settings.mesh.enabled) {
    labels[AMBIENT_LABEL] = 'ambient';
    labels[USE_WAYPOINT_LABEL] = settings.mesh.waypointName;
  }
  labels['pod-security.kubernetes.io/enforce'] = settings.podSecurity;
  if (settings.naming.scheme === 'openchoreo') {
    labels['openchoreo.dev/namespace'] = settings.naming.controlPlaneNamespace ?? ctx.cell.entityNamespace;
    labels['openchoreo.dev/project'] = ctx.cell.name;
    labels['openchoreo.dev/environment'] = ctx.environment;
  }
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { ...metadata, labels } };
}
