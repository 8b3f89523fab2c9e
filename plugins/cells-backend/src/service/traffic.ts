/**
 * `GET /traffic`: the configured flow sources' calls of one environment over a
 * window, classified by the core against the catalog (docs/traffic.md), and
 * cut to what the caller may read. Reading is @cellplane/plugin-cells-node's,
 * the meaning cells-common's; this module only joins them to the service.
 */
import { CustomErrorBase, InputError, NotFoundError } from '@backstage/errors';
import {
  buildAttributionIndex,
  CellModel,
  CellsSettings,
  ClassifiedEdge,
  classifyTraffic,
  compareText,
  TrafficPeer,
  TrafficWindow,
} from '@cellplane/cells-common';
import { readTraffic, TrafficRead, TrafficSourceConfig, TrafficSourceError } from '@cellplane/plugin-cells-node';
import type { TrafficEdge, TrafficResponse } from '../schema/types';
import type { CellAccess } from './CellsService';

/** The window when `since` is not given: the 24 hours before `until`. */
export const DEFAULT_TRAFFIC_WINDOW_MS = 24 * 3_600_000;
/** The longest window a request may ask for (a source reads every flow in it). */
export const MAX_TRAFFIC_WINDOW_MS = 31 * 24 * 3_600_000;

/** What stands for an end of a call in a cell the caller may not read. */
export const HIDDEN_NODE = 'hidden';

/** A flow source could not be read (502): the message names the source. */
export class TrafficSourceUnavailableError extends CustomErrorBase {
  name = 'TrafficSourceUnavailableError' as const;
  readonly statusCode = 502;
}

/** `GET /traffic` query, as the router validated it. */
export interface TrafficQuery {
  environment?: string;
  since?: string;
  until?: string;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = ISO_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new InputError(`${field}: ${JSON.stringify(value)} is not an ISO time; write e.g. 2026-11-30T00:00:00Z`);
  return ms;
}

/** The window a query asks for: `since` up to `until` (default now), at most 31 days; a bad one is an InputError naming the field. */
export function trafficWindowOf(query: Pick<TrafficQuery, 'since' | 'until'>, now: number): TrafficWindow {
  const to = parseTime(query.until, 'until') ?? now;
  const from = parseTime(query.since, 'since') ?? to - DEFAULT_TRAFFIC_WINDOW_MS;
  if (from >= to) throw new InputError(`since: ${new Date(from).toISOString()} is not before until (${new Date(to).toISOString()})`);
  if (to - from > MAX_TRAFFIC_WINDOW_MS) {
    throw new InputError(`since: the window ${new Date(from).toISOString()} .. ${new Date(to).toISOString()} is longer than 31 days; ask for a shorter one`);
  }
  return { from, to };
}

function peerCell(peer: TrafficPeer): string | undefined {
  if (peer.kind === 'component') return peer.cell;
  if (peer.kind === 'cell') return peer.ref;
  if (peer.kind === 'workload') return peer.cell;
  return undefined;
}

/** The cell each node id belongs to: components (and unknown pods in a cell's namespace) to their cell, a waypoint to its cell. */
export function nodeCells(model: CellModel, reads: TrafficRead[]): Map<string, string> {
  const cells = new Map<string, string>();
  for (const c of model.cells) cells.set(c.ref, c.ref);
  for (const c of model.components) cells.set(c.ref, c.cell);
  for (const read of reads) {
    for (const e of [...read.edges, ...read.before]) {
      const from = peerCell(e.source);
      const to = peerCell(e.destination);
      if (from && !cells.has(e.from)) cells.set(e.from, from);
      if (to && !cells.has(e.to)) cells.set(e.to, to);
    }
  }
  return cells;
}

/**
 * What one caller sees of a classified edge: nothing unless an end is in a
 * cell it may read; an end in a cell it may not read is `hidden`, and a call
 * into such a cell loses its method and path (they tell that cell's API).
 */
export function visibleEdge(edge: ClassifiedEdge, cellOf: Map<string, string>, readable: (cellRef: string) => boolean): TrafficEdge | undefined {
  const fromCell = cellOf.get(edge.from);
  const toCell = cellOf.get(edge.to);
  const fromHidden = fromCell !== undefined && !readable(fromCell);
  const toHidden = toCell !== undefined && !readable(toCell);
  const seesACell = (fromCell !== undefined && !fromHidden) || (toCell !== undefined && !toHidden);
  if (!seesACell) return undefined;
  return {
    from: fromHidden ? HIDDEN_NODE : edge.from,
    to: toHidden ? HIDDEN_NODE : edge.to,
    ...(edge.port !== undefined ? { port: edge.port } : {}),
    protocol: edge.protocol,
    ...(edge.method && !toHidden ? { method: edge.method } : {}),
    ...(edge.path && !toHidden ? { path: edge.path } : {}),
    count: edge.count,
    ...(edge.firstSeen !== undefined ? { firstSeen: new Date(edge.firstSeen).toISOString() } : {}),
    ...(edge.lastSeen !== undefined ? { lastSeen: new Date(edge.lastSeen).toISOString() } : {}),
    class: edge.class,
    ...(edge.suspicious ? { suspicious: true } : {}),
    ...(edge.cellLevel ? { cellLevel: true } : {}),
    ...(edge.reasons.length ? { reasons: edge.reasons } : {}),
  };
}

/** Reads every source over the window; one that cannot be read is a 502 naming it. */
export async function readAll(sources: TrafficSourceConfig[], model: CellModel, settings: CellsSettings, window: TrafficWindow): Promise<TrafficRead[]> {
  const index = buildAttributionIndex(model, settings);
  const reads: TrafficRead[] = [];
  for (const source of sources) {
    try {
      reads.push(await readTraffic(source, index, window));
    } catch (e) {
      if (e instanceof TrafficSourceError) throw new TrafficSourceUnavailableError(`traffic source ${e.message}`);
      throw e;
    }
  }
  return reads;
}

/** What `GET /traffic` asks of the analysis (a worker thread when there is a pool): plain data only. */
export interface TrafficTask {
  environment: string;
  window: TrafficWindow;
  sources: TrafficSourceConfig[];
  /** The cells of the environment the caller may read; at least one (else nothing is read). */
  readable: string[];
}

/**
 * The answer of `GET /traffic` once the caller's readable cells are known:
 * reading the sources, merging and classifying a window's calls costs seconds
 * at portal size, so it runs where the analysis runs, off the event loop.
 */
export async function classifiedTraffic(task: TrafficTask, model: CellModel, settings: CellsSettings): Promise<TrafficResponse> {
  const { environment, window, sources } = task;
  const readableCells = new Set(task.readable);
  const readable = (cell: string) => readableCells.has(cell);
  const reads = await readAll(sources, model, settings, window);
  const classified = classifyTraffic(model, settings, {
    environment,
    window,
    edges: reads.flatMap(r => r.edges),
    before: reads.flatMap(r => r.before),
  });
  const cellOf = nodeCells(model, reads);
  const edges = classified.edges.flatMap(e => visibleEdge(e, cellOf, readable) ?? []);
  const counts: TrafficResponse['counts'] = { 'declared-seen': 0, 'declared-unused': 0, 'undeclared-allowed': 0, denied: 0 };
  for (const e of edges) counts[e.class]++;
  const skipped: Record<string, number> = {};
  for (const r of reads) for (const [why, n] of Object.entries(r.skipped)) skipped[why] = (skipped[why] ?? 0) + n;
  const sortedSkipped = Object.fromEntries(Object.entries(skipped).sort(([a], [b]) => compareText(a, b)));
  return {
    ...windowAnswer(environment, window),
    sources: reads.map(r => r.source),
    edges,
    counts,
    ...(Object.keys(sortedSkipped).length ? { skipped: sortedSkipped } : {}),
  };
}

function windowAnswer(environment: string, window: TrafficWindow) {
  return { environment, window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() } };
}

/**
 * `GET /traffic` for one environment (already checked to be configured): the
 * window and the caller's permissions here, the reading and classifying by
 * `classify` (the analysis runner's `traffic` task).
 */
export async function observedTraffic(input: {
  environment: string;
  query: TrafficQuery;
  sources: TrafficSourceConfig[];
  model: CellModel;
  read: CellAccess;
  classify: (task: TrafficTask) => Promise<TrafficResponse>;
  now?: number;
}): Promise<TrafficResponse> {
  const { environment, sources, model } = input;
  const window = trafficWindowOf(input.query, input.now ?? Date.now());
  if (sources.length === 0) throw new NotFoundError('no flow source is configured: set cells.traffic.sources in app-config (docs/traffic.md)');
  const here = model.cells.filter(c => c.environments.includes(environment)).map(c => c.ref);
  const readable = await input.read.filter(here);
  const mine = here.filter(readable);
  // A caller who may read no cell here sees no call: the sources are not read for it.
  if (mine.length === 0) {
    return {
      ...windowAnswer(environment, window),
      sources: [],
      edges: [],
      counts: { 'declared-seen': 0, 'declared-unused': 0, 'undeclared-allowed': 0, denied: 0 },
    };
  }
  return input.classify({ environment, window, sources, readable: mine });
}
