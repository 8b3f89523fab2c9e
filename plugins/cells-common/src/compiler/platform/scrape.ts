import { CellComponent } from '../../model/types';
import { PlatformService } from '../../settings/platform';
import { CellContext, HBONE_PORT, WAYPOINT_POD_LABEL } from '../context';
import type { PeerRule } from '../flows';

/** The scrapers admitted to a component's metrics, in name order (none without spec.metrics). */
export function scrapersOf(ctx: CellContext, component: CellComponent): PlatformService[] {
  const names = component.metrics?.scrapedBy ?? [];
  return ctx.settings.platform.services.filter(s => s.role === 'scrapes' && names.includes(s.name) && s.namespace && s.podLabels);
}

function scraperPeer(service: PlatformService): PeerRule['peer'] {
  return { kind: 'pods', namespace: service.namespace!, labels: service.podLabels! };
}

/**
 * The L3/L4 of a scrape into the component (docs/egress.md, "Platform
 * services"). With the mesh the scrape is addressed to the component's
 * Service, so it takes the cell's waypoint like any call: the scraper's pods
 * reach the waypoint on 15008 (waypointIngress), the waypoint reaches the
 * component on 15008 (here and waypointEgress). Without the mesh: the
 * scraper's pods straight to the metrics port.
 */
export function scrapeIngress(ctx: CellContext, component: CellComponent): PeerRule[] {
  const scrapers = scrapersOf(ctx, component);
  if (scrapers.length === 0) return [];
  if (ctx.settings.mesh.enabled)
    return [{ peer: { kind: 'pods', namespace: ctx.namespace, labels: waypointLabels(ctx) }, ports: [{ port: HBONE_PORT, protocol: 'TCP' }] }];
  return scrapers.map(s => ({ peer: scraperPeer(s), ports: [{ port: component.metrics!.port, protocol: 'TCP' as const }] }));
}

function waypointLabels(ctx: CellContext): Record<string, string> {
  return { [WAYPOINT_POD_LABEL]: ctx.settings.mesh.waypointName };
}

/** The waypoint's side of every scrape of the cell: in from each scraper, out to each scraped component, on 15008. */
export function scrapeWaypointRules(ctx: CellContext, podLabels: (c: CellComponent) => Record<string, string>): { ingress: PeerRule[]; egress: PeerRule[] } {
  const ingress: PeerRule[] = [];
  const egress: PeerRule[] = [];
  for (const component of ctx.components) {
    const scrapers = scrapersOf(ctx, component);
    if (scrapers.length === 0) continue;
    scrapers.forEach(s => ingress.push({ peer: scraperPeer(s), ports: [{ port: HBONE_PORT, protocol: 'TCP' }] }));
    egress.push({ peer: { kind: 'pods', namespace: ctx.namespace, labels: podLabels(component) }, ports: [{ port: HBONE_PORT, protocol: 'TCP' }] });
  }
  return { ingress, egress };
}

/** The L7 grants of a component's scrapes: each scraper's principal may `GET <path>` on the metrics port, nothing else. */
export function scrapeGrants(ctx: CellContext, component: CellComponent): { port: number; methods: string[]; paths: string[]; principal: string }[] {
  const metrics = component.metrics;
  if (!metrics) return [];
  return scrapersOf(ctx, component)
    .filter(s => s.principal)
    .map(s => ({ port: metrics.port, methods: ['GET'], paths: [metrics.path], principal: s.principal! }));
}
