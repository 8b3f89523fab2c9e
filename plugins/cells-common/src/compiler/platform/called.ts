import { CellComponent, EgressPlatformRule } from '../../model/types';
import { PlatformService } from '../../settings/platform';
import { CellContext, HBONE_PORT } from '../context';
import type { PeerRule } from '../flows';

/** The configured service an entry names; undefined if the settings no longer have it (then nothing is opened). */
export function calledService(ctx: CellContext, entry: EgressPlatformRule): PlatformService | undefined {
  return ctx.settings.platform.services.find(s => s.name === entry.platform && s.role === 'called');
}

/**
 * A component's L3/L4 way to a platform service it declared
 * (docs/egress.md, "Platform services"): to the service's addresses on the
 * declared ports (the API server); to its pods on the declared ports; or, when
 * both ends are in the ambient mesh, to its pods on 15008, the HBONE port
 * ztunnel delivers every meshed connection to (docs/policy-semantics.md#ambient-2).
 */
export function calledServiceRules(ctx: CellContext, component: CellComponent): PeerRule[] {
  const rules: PeerRule[] = [];
  for (const entry of component.egress ?? []) {
    if (entry.kind !== 'platform') continue;
    const service = calledService(ctx, entry);
    if (!service) continue;
    const ports = entry.ports.map(port => ({ port, protocol: 'TCP' as const }));
    if (service.cidrs) {
      rules.push(...service.cidrs.map(cidr => ({ peer: { kind: 'network' as const, cidr }, ports })));
    } else if (service.mesh && ctx.settings.mesh.enabled) {
      rules.push({ peer: { kind: 'pods', namespace: service.namespace!, labels: service.podLabels! }, ports: [{ port: HBONE_PORT, protocol: 'TCP' }] });
    } else {
      rules.push({ peer: { kind: 'pods', namespace: service.namespace!, labels: service.podLabels! }, ports });
    }
  }
  return rules;
}
