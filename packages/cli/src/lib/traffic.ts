/** `--traffic <source>`: observed calls from a Hubble export or a Prometheus URL, for diff and traffic. */
import fs from 'node:fs';
import { buildAttributionIndex, CellModel, CellsSettings, compareText, TrafficEdge, TrafficWindow, WouldBreak, Unjudged } from '@cellplane/cells-common';
import { readTraffic, TrafficConfigError, TrafficRead, readTrafficSource, TrafficSourceError } from '@cellplane/plugin-cells-node';
import { InputError } from './readDocuments';

export interface TrafficWindowOptions {
  since?: string;
  until?: string;
  resolution?: string;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `24h`, `7d` in milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+)([smhd])$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) throw new InputError(`${flag} ${value}: write a duration such as 15m, 24h or 7d`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

/** The window: `--since` (a duration back from the end, default 7d) up to `--until` (an ISO time, default now). */
export function trafficWindow(options: TrafficWindowOptions, now = Date.now()): TrafficWindow {
  const to = options.until === undefined ? now : Date.parse(options.until);
  if (Number.isNaN(to)) throw new InputError(`--until ${options.until}: write an ISO time such as 2026-11-30T00:00:00Z`);
  return { from: to - parseDuration(options.since ?? '7d', '--since'), to };
}

/** Reads a Hubble export (a file) or Prometheus (an http(s) URL), attributing by the catalog. */
export async function readTrafficArg(
  source: string,
  model: CellModel,
  settings: CellsSettings,
  window: TrafficWindow,
  options: TrafficWindowOptions,
): Promise<TrafficRead> {
  let raw: Record<string, unknown>;
  if (/^https?:\/\//.test(source)) {
    const resolutionMs = parseDuration(options.resolution ?? '1m', '--resolution');
    raw = { type: 'prometheus', url: source, resolution: { milliseconds: resolutionMs } };
  } else if (fs.existsSync(source)) {
    raw = { type: 'hubble', file: source };
  } else {
    throw new InputError(`--traffic ${source}: give a \`hubble observe -o jsonpb\` export (a file) or a Prometheus URL (http://...)`);
  }
  try {
    return await readTraffic(readTrafficSource(raw, '--traffic'), buildAttributionIndex(model, settings), window);
  } catch (e) {
    if (e instanceof TrafficSourceError || e instanceof TrafficConfigError) throw new InputError(`--traffic: ${e.message}`);
    throw e;
  }
}

/** A node id as the CLI names things: `<cell>/<component>` for components and cells' names, the id otherwise. */
export function nodeLabel(model: CellModel, id: string): string {
  const component = model.components.find(c => c.ref === id);
  if (component) return `${model.cells.find(c => c.ref === component.cell)?.name ?? component.cell}/${component.name}`;
  const cell = model.cells.find(c => c.ref === id);
  return cell ? `${cell.name} (its waypoint)` : id;
}

export function describeEdge(model: CellModel, e: Pick<TrafficEdge, 'from' | 'to' | 'port' | 'protocol' | 'method' | 'path'>): string {
  const what = e.method ? ` ${e.method}${e.path ? ` ${e.path}` : ''}` : '';
  const port = e.port !== undefined ? `:${e.port}` : '';
  return `${nodeLabel(model, e.from)} -> ${nodeLabel(model, e.to)}${port}${what} (${e.protocol})`;
}

function iso(ms: number | undefined): string {
  return ms === undefined ? 'never' : new Date(ms).toISOString();
}

export function describeBreak(model: CellModel, w: WouldBreak): string {
  const policies = w.policies.length ? ` by ${w.policies.join(', ')}` : '';
  return `${describeEdge(model, w.edge)}: ${w.edge.count} calls, last ${iso(w.edge.lastSeen)}; denied at ${w.layer}${policies}: ${w.reason}`;
}

export function describeUnjudged(model: CellModel, u: Unjudged): string {
  return `${describeEdge(model, u.edge)}: ${u.reason}`;
}

/** What the read saw, in one line (observations, edges, what it left out). */
export function describeRead(read: TrafficRead): string {
  const skipped = Object.entries(read.skipped)
    .sort(([a], [b]) => compareText(a, b))
    .map(([why, n]) => `${n} ${why}`);
  return `${read.source}, ${iso(read.window.from)} .. ${iso(read.window.to)}: ${read.observations} observations, ${read.edges.length} edges${
    skipped.length ? `; left out: ${skipped.join(', ')}` : ''
  }`;
}
