import { CellComponent } from '../model/types';
import { normalizeRequestPath } from '../analyzer';
import { PlatformService } from '../settings/platform';

/** A scrape in catalog terms: which scraper, which port, which request. */
export interface ScrapeProbe {
  scraper: string;
  port: number;
  method: string;
  path: string;
}

/**
 * What the catalog admits of a scrape: the component's spec.metrics names the
 * scraper and the request is `GET <path>` on the metrics port. Without the
 * mesh there is no L7: the metrics port is open to the scraper's pods whatever
 * the method and path (docs/egress.md, "What each layer enforces").
 */
export function catalogAllowsScrape(component: CellComponent, probe: ScrapeProbe, meshEnabled: boolean): boolean {
  const metrics = component.metrics;
  if (!metrics || !metrics.scrapedBy.includes(probe.scraper) || probe.port !== metrics.port) return false;
  if (!meshEnabled) return true;
  return probe.method === 'GET' && normalizeRequestPath(probe.path) === metrics.path;
}

/**
 * What the catalog admits of a call to a platform service: the component
 * declared the service, on this port. A meshed service is reached over HBONE
 * (15008), which carries any port: the L3/L4 rule cannot tell its ports
 * apart, so every port of a declared meshed service is expected reachable and
 * the service's own policies limit the rest (verify says so in a note).
 */
export function catalogAllowsPlatformCall(component: CellComponent | undefined, service: PlatformService, port: number, meshEnabled: boolean): boolean {
  const entries = (component?.egress ?? []).filter(e => e.kind === 'platform' && e.platform === service.name);
  if (entries.length === 0 || service.role !== 'called') return false;
  if (service.mesh && meshEnabled) return true;
  return entries.some(e => e.ports.includes(port));
}
