import { CellContext, KubeObject, meta } from './context';
import { CELL_OBJECT_NAMES } from './names';

/** STRICT mTLS for the whole cell: a connection without an identity is refused. */
export function peerAuthentication(ctx: CellContext): KubeObject[] {
  if (!ctx.settings.mesh.enabled) return [];
  return [
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: meta(ctx, CELL_OBJECT_NAMES.strictMtls, ctx.cell.ref),
      spec: { mtls: { mode: 'STRICT' } },
    },
  ];
}
