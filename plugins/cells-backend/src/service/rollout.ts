/**
 * `GET /rollout`: per cell of one environment, the observed calls its
 * enforce-mode manifests would deny (docs/rollout.md). The manifests are the
 * catalog compiled with every cell enforcing, whatever it applies now (a
 * cell in audit applies none that deny); the core's `wouldBreak` judges the
 * configured sources' allowed calls against them request by request, as
 * `POST /simulate` does. Cut to what the caller may read, like GET /traffic.
 */
import { NotFoundError } from '@backstage/errors';
import {
  CellModel,
  cellEnforcement,
  cellNamespace,
  CellsSettings,
  compareText,
  enforcedEverywhere,
  Holders,
  TrafficEdge as ObservedEdge,
  TrafficPeer,
  TrafficWindow,
  Unjudged,
  WouldBreak,
  wouldBreak,
} from '@cellplane/cells-common';
import { TrafficSourceConfig } from '@cellplane/plugin-cells-node';
import type { CatalogSnapshot } from '../reconciler/CellsReconciler';
import type { RolloutCell, RolloutResponse, WouldBreakCall } from '../schema/types';
import { analysable, CompileCells, CompiledView, holdersKey, SimulationCache } from './analysis';
import type { CellAccess, ReconcilerReads } from './CellsService';
import { HIDDEN_NODE, nodeCells, readAll, trafficWindowOf } from './traffic';

/** The window when `since` is not given: the 7 days before `until` (a weekly job should have shown up). */
export const DEFAULT_ROLLOUT_WINDOW_MS = 7 * 24 * 3_600_000;

/** `GET /rollout` query, as the router validated it. */
export interface RolloutQuery {
  environment?: string;
  since?: string;
  until?: string;
}

/** What the rollout reads of the service's dependencies. */
export interface RolloutDeps {
  reconciler: Pick<ReconcilerReads, 'current' | 'neverApplied' | 'syncCatalog' | 'holders'>;
  config: { trafficSources: TrafficSourceConfig[] };
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

function peerCell(peer: TrafficPeer): string | undefined {
  if (peer.kind === 'component' || peer.kind === 'workload') return peer.cell;
  return peer.kind === 'cell' ? peer.ref : undefined;
}

/**
 * The cell a judged call belongs to: the one whose namespace holds the
 * deciding policy (switching that cell to enforce is what breaks it); else
 * the callee's cell, else the caller's.
 */
export function owningCell(item: { edge: ObservedEdge; policies?: string[] }, cellOfNamespace: ReadonlyMap<string, string>): string | undefined {
  for (const policy of item.policies ?? []) {
    const cell = cellOfNamespace.get(policy.split('/')[0]);
    if (cell) return cell;
  }
  return peerCell(item.edge.destination) ?? peerCell(item.edge.source);
}

/** How a caller sees the ends of a call: an end in a cell it may not read is `hidden`, and its namespace is masked in words. */
export class Masking {
  constructor(
    private readonly cellOf: Map<string, string>,
    private readonly readable: (cellRef: string) => boolean,
    private readonly hiddenNamespaces: string[],
  ) {}

  node(id: string): string {
    const cell = this.cellOf.get(id);
    return cell !== undefined && !this.readable(cell) ? HIDDEN_NODE : id;
  }

  words(text: string): string {
    return this.hiddenNamespaces.reduce((t, ns) => t.split(ns).join(HIDDEN_NODE), text);
  }

  ends(edge: ObservedEdge) {
    const to = this.node(edge.to);
    return {
      from: this.node(edge.from),
      to,
      ...(edge.port !== undefined ? { port: edge.port } : {}),
      // A call into a hidden cell loses its operation (it tells that cell's API).
      ...(edge.method && to !== HIDDEN_NODE ? { method: edge.method } : {}),
      ...(edge.path && to !== HIDDEN_NODE ? { path: edge.path } : {}),
    };
  }
}

export function callKey(c: { from: string; to: string; port?: number; method?: string; path?: string }): string {
  return JSON.stringify([c.from, c.to, c.port ?? -1, c.method ?? '', c.path ?? '']);
}

export function wouldBreakCall(w: WouldBreak, mask: Masking): WouldBreakCall {
  return {
    ...mask.ends(w.edge),
    protocol: w.edge.protocol,
    count: w.edge.count,
    lastSeen: new Date(w.edge.lastSeen).toISOString(),
    endpoint: w.endpoint,
    layer: w.layer,
    policy: mask.words(w.policies.join(', ')),
    reason: mask.words(w.reason),
  };
}

export function unjudgedCall(u: Unjudged, mask: Masking): RolloutCell['unjudged'][number] {
  const { from, to, port } = mask.ends(u.edge);
  return { from, to, ...(port !== undefined ? { port } : {}), count: u.edge.count, reason: mask.words(u.reason) };
}

/** What `GET /rollout` asks of the analysis (a worker thread when there is a pool): plain data only. */
export interface RolloutTask {
  environment: string;
  holders: Holders;
  window: TrafficWindow;
  sources: TrafficSourceConfig[];
  /** The cells of the environment the caller may read, sorted; at least one (else nothing is read). */
  readable: string[];
}

/**
 * The enforce-mode compile of each catalog snapshot and environment, kept
 * while the snapshot is current, and the judging of the observed calls
 * against it. Held by the analyst, so it runs where the analysis runs: a
 * whole environment's compile and a window's calls cost seconds at portal
 * size, off the event loop.
 */
export class RolloutViews {
  private cache?: SimulationCache;
  private readonly views = new WeakMap<CatalogSnapshot, Map<string, { holders: string; view: CompiledView; failure?: string }>>();

  constructor(readonly compile?: CompileCells) {}

  /** The catalog compiled with every cell enforcing (cached per snapshot and environment), and why it cannot be analysed, if so. */
  view(snapshot: CatalogSnapshot, settings: CellsSettings, environment: string, holders: Holders) {
    this.cache ??= new SimulationCache(this.compile);
    let byEnv = this.views.get(snapshot);
    if (!byEnv) this.views.set(snapshot, (byEnv = new Map()));
    const known = byEnv.get(environment);
    // Holders travel by value to a worker: compared by their key, not by identity.
    const key = holdersKey(holders);
    if (known && known.holders === key) return known;
    const enforced = enforcedEverywhere(snapshot.model, settings);
    const view = this.cache.build({ ...snapshot, model: enforced.model }, enforced.settings, environment, holders);
    let failure: string | undefined;
    try {
      analysable(view, enforced.model, enforced.settings);
    } catch (e) {
      // A problem between cells: no cell of the environment can be judged, and each says why.
      failure = `the enforce-mode manifests cannot be analysed: ${messageOf(e)}`;
    }
    const entry = { holders: key, view, failure };
    byEnv.set(environment, entry);
    return entry;
  }

  /** Per readable cell, the observed calls its enforce-mode manifests would deny (the `rollout` analysis task). */
  async judge(snapshot: CatalogSnapshot, settings: CellsSettings, task: RolloutTask): Promise<Pick<RolloutResponse, 'sources' | 'cells'>> {
    const { environment, window, sources } = task;
    const model: CellModel = snapshot.model;
    const here = model.cells.filter(c => c.environments.includes(environment)).sort((a, b) => compareText(a.ref, b.ref));
    const readableCells = new Set(task.readable);
    const readable = (cell: string) => readableCells.has(cell);
    const shown = here.filter(c => readable(c.ref));
    const reads = await readAll(sources, model, settings, window);
    const { view, failure } = this.view(snapshot, settings, environment, task.holders);
    const report = failure
      ? { wouldBreak: [], unjudged: [] }
      : wouldBreak(
          view.sim,
          reads.flatMap(r => r.edges),
        );
    const cellOfNamespace = new Map(here.map(c => [cellNamespace(settings, c, environment), c.ref]));
    const hiddenNamespaces = [...cellOfNamespace].filter(([, ref]) => !readable(ref)).map(([ns]) => ns);
    const mask = new Masking(nodeCells(model, reads), readable, hiddenNamespaces);
    const cells: RolloutCell[] = shown.map(cell => {
      const mine = <T extends { edge: ObservedEdge; policies?: string[] }>(items: T[]) => items.filter(i => owningCell(i, cellOfNamespace) === cell.ref);
      const breaks = mine(report.wouldBreak).map(w => wouldBreakCall(w, mask));
      const unjudged = mine(report.unjudged).map(u => unjudgedCall(u, mask));
      const cellFailure = failure ?? view.failures.get(cell.ref);
      return {
        entityRef: cell.ref,
        enforcement: cellEnforcement(cell, settings, environment),
        wouldBreak: breaks.sort((a, b) => compareText(callKey(a), callKey(b))),
        unjudged: unjudged.sort((a, b) => compareText(callKey(a), callKey(b))),
        ...(cellFailure ? { failure: cellFailure } : {}),
      };
    });
    return { sources: reads.map(r => r.source), cells };
  }
}

/**
 * The answer of `GET /rollout` for one environment (already checked to be
 * configured): the window and the caller's permissions here; the judging by
 * `judge` (the analysis runner's `rollout` task).
 */
export async function rolloutAnswer(
  deps: RolloutDeps,
  environment: string,
  query: RolloutQuery,
  read: CellAccess,
  judge: (snapshot: CatalogSnapshot, task: RolloutTask) => Promise<Pick<RolloutResponse, 'sources' | 'cells'>>,
  now = Date.now(),
): Promise<RolloutResponse> {
  if (deps.reconciler.neverApplied) await deps.reconciler.syncCatalog();
  const snapshot = deps.reconciler.current;
  const { trafficSources: sources } = deps.config;
  const window = trafficWindowOf(query, now);
  if (query.since === undefined) window.from = window.to - DEFAULT_ROLLOUT_WINDOW_MS;
  if (sources.length === 0) throw new NotFoundError('no flow source is configured: set cells.traffic.sources in app-config (docs/traffic.md)');
  const here = snapshot.model.cells
    .filter(c => c.environments.includes(environment))
    .map(c => c.ref)
    .sort(compareText);
  const readable = await read.filter(here);
  const shown = here.filter(readable);
  const base = {
    environment,
    window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
  };
  // A caller who may read no cell here is told nothing: the sources are not read for it.
  if (shown.length === 0) return { ...base, sources: [], cells: [] };
  return { ...base, ...(await judge(snapshot, { environment, holders: deps.reconciler.holders(environment), window, sources, readable: shown })) };
}
