import { RequestResult } from '../analyzer';
import { compareText } from '../order';
import { evaluateScrape, simulatePlatformCall } from '../verify/platform';
import { Simulation } from '../verify/simulation';
import type { AccessChange } from './diffAccess';
import { admittingLayer, componentLabel, presentComponents } from './probing';

interface Question {
  /** Who asks: `<cell>/<component>` or `platform:<scraper>`. */
  from: string;
  to: string;
  port: number;
  /** Whose cell the change must touch to be listed. */
  cell: string;
  judge(sim: Simulation): RequestResult | undefined;
  text(isAdded: boolean): string;
  http?: { method: string; path: string };
}

/** Calls to called platform services: every component of either side, on every port either side's service serves. */
function calls(sides: readonly [Simulation, Simulation]): Question[] {
  const ports = new Map<string, Set<number>>();
  for (const side of sides)
    for (const s of side.settings.platform.services.filter(x => x.role === 'called')) ports.set(s.name, new Set([...(ports.get(s.name) ?? []), ...s.ports]));
  const callers = new Map<string, string>();
  for (const side of sides) for (const c of presentComponents(side)) callers.set(componentLabel(side, c), c.cell);
  const out: Question[] = [];
  for (const [label, cell] of callers)
    for (const [name, set] of ports)
      for (const port of set)
        out.push({
          from: label,
          to: `platform:${name}`,
          port,
          cell,
          judge: sim => {
            const here = presentComponents(sim).find(x => componentLabel(sim, x) === label);
            const served = sim.settings.platform.services.some(s => s.name === name && s.role === 'called' && s.ports.includes(port));
            return here && served ? simulatePlatformCall(sim, { component: here.ref }, name, port) : undefined;
          },
          text: isAdded => `${label} may ${isAdded ? 'now' : 'no longer'} reach platform:${name}:${port}`,
        });
  return out;
}

/** Scrapes: each component's declared metrics on either side, from each scraper either side configures. */
function scrapes(sides: readonly [Simulation, Simulation]): Question[] {
  const scrapers = new Set(sides.flatMap(s => s.settings.platform.services.filter(x => x.role === 'scrapes').map(x => x.name)));
  const targets = new Map<string, { label: string; cell: string; port: number; path: string }>();
  for (const side of sides)
    for (const c of presentComponents(side).filter(x => x.metrics)) {
      const label = componentLabel(side, c);
      targets.set(`${label} ${c.metrics!.port} ${c.metrics!.path}`, { label, cell: c.cell, port: c.metrics!.port, path: c.metrics!.path });
    }
  const out: Question[] = [];
  for (const scraper of scrapers)
    for (const t of targets.values())
      out.push({
        from: `platform:${scraper}`,
        to: t.label,
        port: t.port,
        cell: t.cell,
        http: { method: 'GET', path: t.path },
        judge: sim => {
          const here = presentComponents(sim).find(x => componentLabel(sim, x) === t.label);
          const pod = sim.platformPod(scraper);
          if (!here || !pod || !here.endpoints.some(e => e.port === t.port)) return undefined;
          return evaluateScrape(sim.cluster(), pod, sim, here, { port: t.port, method: 'GET', path: t.path });
        },
        text: isAdded => `platform:${scraper} may ${isAdded ? 'now' : 'no longer'} GET ${t.path} on ${t.label} port ${t.port}`,
      });
  return out;
}

/**
 * Platform access whose verdict a change flips (docs/egress.md, "Platform
 * services"): calls from every component to every called service's ports,
 * and each scraper's `GET <path>` of every declared metrics port, judged by
 * the analyzer on each side. Nothing when neither side configures platform
 * services (a diff without them is unchanged).
 */
export function diffPlatform(sides: readonly [Simulation, Simulation], cells?: string[]): { added: AccessChange[]; removed: AccessChange[] } {
  const added: AccessChange[] = [];
  const removed: AccessChange[] = [];
  if (sides.every(s => s.settings.platform.services.length === 0)) return { added, removed };
  const questions = [...calls(sides), ...scrapes(sides)].sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to) || a.port - b.port);
  for (const q of questions) {
    if (cells && !cells.includes(q.cell)) continue;
    const [was, now] = sides.map(s => q.judge(s));
    if (!!was?.allowed === !!now?.allowed) continue;
    const isAdded = !!now?.allowed;
    const { layer, policies } = admittingLayer(isAdded ? now! : was!);
    (isAdded ? added : removed).push({ from: q.from, to: q.to, port: q.port, ...(q.http ?? {}), layer, policies, text: q.text(isAdded) });
  }
  return { added, removed };
}
