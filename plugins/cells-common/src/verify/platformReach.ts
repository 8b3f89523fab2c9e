import { CellComponent } from '../model/types';
import { compareText } from '../order';
import { EgressReach } from './egressReach';
import { evaluateScrape, simulatePlatformCall } from './platform';
import { SimulatedCaller } from './simulate';
import { Simulation } from './simulation';

/** A scrape the analyzer admits: the scraper's node, the component, and what it may read. */
export interface ScrapeReach {
  /** `platform:<scraper>` */
  from: string;
  /** The scraped component's ref. */
  to: string;
  port: number;
  path: string;
}

function present(sim: Simulation): CellComponent[] {
  const cells = new Set(sim.model.cells.filter(c => c.environments.includes(sim.environment)).map(c => c.ref));
  return sim.model.components.filter(c => cells.has(c.cell));
}

/**
 * Per component, the called platform services (`platform:<name>` nodes, per
 * declared port) the analyzer lets it reach: the candidates are its own
 * declarations, each judged on the simulation's manifests. Components that
 * reach none are left out.
 */
export function platformReachByComponent(sim: Simulation, components: CellComponent[]): Map<string, EgressReach[]> {
  const result = new Map<string, EgressReach[]>();
  for (const c of components) {
    const reach: EgressReach[] = [];
    for (const e of c.egress ?? []) {
      if (e.kind !== 'platform' || !sim.settings.platform.services.some(s => s.name === e.platform && s.role === 'called')) continue;
      for (const port of e.ports) {
        if (simulatePlatformCall(sim, { component: c.ref }, e.platform, port).allowed) {
          reach.push({ id: `platform:${e.platform}`, kind: 'platform', target: e.platform, port, protocol: 'TCP' });
        }
      }
    }
    if (reach.length)
      result.set(
        c.ref,
        reach.sort((a, b) => compareText(a.id, b.id) || a.port - b.port),
      );
  }
  return result;
}

/** Every scrape the analyzer admits (`GET <path>` on the metrics port), in scraper then component order. */
export function scrapeReach(sim: Simulation, components: CellComponent[] = present(sim)): ScrapeReach[] {
  const out: ScrapeReach[] = [];
  const cluster = sim.cluster();
  for (const scraper of sim.settings.platform.services.filter(s => s.role === 'scrapes')) {
    const pod = sim.platformPod(scraper.name);
    if (!pod) continue;
    for (const c of components) {
      if (!c.metrics?.scrapedBy.includes(scraper.name)) continue;
      const { port, path } = c.metrics;
      if (evaluateScrape(cluster, pod, sim, c, { port, method: 'GET', path }).allowed) out.push({ from: `platform:${scraper.name}`, to: c.ref, port, path });
    }
  }
  return out.sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to));
}

/**
 * Every called platform service, per port it serves, that the analyzer lets
 * this caller reach: the blast radius's candidates are all of them, declared
 * or not (a rogue pod counts with its most successful disguise).
 */
export function platformReach(sim: Simulation, from: SimulatedCaller): EgressReach[] {
  if ('gateway' in from) return [];
  const out: EgressReach[] = [];
  for (const service of sim.settings.platform.services.filter(s => s.role === 'called')) {
    for (const port of service.ports) {
      if (simulatePlatformCall(sim, from, service.name, port).allowed) {
        out.push({ id: `platform:${service.name}`, kind: 'platform', target: service.name, port, protocol: 'TCP' });
      }
    }
  }
  return out;
}
