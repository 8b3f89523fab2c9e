/**
 * The observed calls a previewed change would break (`POST /preview`'s
 * `observed`): the last 24 hours of the configured flow sources, replayed by
 * the core's `brokenByChange` against the catalog's enforce-mode manifests
 * before the change and after it. Enforce mode on both sides, as GET /rollout
 * judges: a change to a cell in audit breaks nothing applied today, and what
 * matters is what it breaks once the cell enforces. Calls denied on both
 * sides (e.g. an undeclared call nobody allowed yet) are counted apart, and
 * calls denied before and allowed after are what the change mends. Runs as
 * the analysis runner's `previewTraffic` task (a worker thread when there is
 * a pool): the compile and the sources' calls cost seconds at portal size.
 */
import { Entity } from '@backstage/catalog-model';
import {
  applyChange,
  brokenByChange,
  buildCellModel,
  cellNamespace,
  CellsSettings,
  compareText,
  enforcedEverywhere,
  Holders,
  modelOptions,
  TrafficWindow,
} from '@cellplane/cells-common';
import { TrafficSourceConfig } from '@cellplane/plugin-cells-node';
import type { CatalogSnapshot } from '../reconciler/CellsReconciler';
import type { PreviewObserved } from '../schema/types';
import { analysable, SimulationCache } from './analysis';
import { callKey, Masking, RolloutViews, unjudgedCall, wouldBreakCall } from './rollout';
import { DEFAULT_TRAFFIC_WINDOW_MS, nodeCells, readAll } from './traffic';

/** What the preview asks of the analysis: plain data only. */
export interface PreviewTrafficTask {
  environment: string;
  holders: Holders;
  window: TrafficWindow;
  sources: TrafficSourceConfig[];
  entities: Entity[];
  /** The cells of the environment the caller may read. */
  readable: string[];
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The preview's window: the 24 hours before `now`. */
export function previewWindow(now: number): TrafficWindow {
  return { from: now - DEFAULT_TRAFFIC_WINDOW_MS, to: now };
}

/** A source that cannot be read, or manifests that cannot be analysed, is a `failure`, never a failed preview. */
export async function judgeChange(
  rollouts: RolloutViews,
  snapshot: CatalogSnapshot,
  settings: CellsSettings,
  task: PreviewTrafficTask,
): Promise<PreviewObserved> {
  const { environment, holders, window, sources, entities } = task;
  const base = {
    window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
    sources: [] as string[],
    wouldBreak: [],
    noLongerBroken: [],
    unjudged: [],
    alreadyDenied: 0,
  };
  try {
    const before = rollouts.view(snapshot, settings, environment, holders);
    if (before.failure) return { ...base, failure: before.failure };
    const afterModel = buildCellModel(applyChange([...snapshot.entities.values()], entities), modelOptions(settings)).model;
    const enforced = enforcedEverywhere(afterModel, settings);
    const afterView = new SimulationCache(rollouts.compile).build({ ...snapshot, model: enforced.model }, enforced.settings, environment, holders);
    const after = analysable(afterView, enforced.model, enforced.settings);
    // The traffic was observed on what runs now: attributed by the catalog before the change.
    const reads = await readAll(sources, snapshot.model, settings, window);
    const report = brokenByChange(
      before.view.sim,
      after,
      reads.flatMap(r => r.edges),
    );
    const readableCells = new Set(task.readable);
    const readable = (cell: string) => readableCells.has(cell);
    const here = snapshot.model.cells.filter(c => c.environments.includes(environment));
    const hiddenNamespaces = here.filter(c => !readable(c.ref)).map(c => cellNamespace(settings, c, environment));
    const mask = new Masking(nodeCells(snapshot.model, reads), readable, hiddenNamespaces);
    const sorted = <T extends { from: string; to: string }>(items: T[]) => items.sort((a, b) => compareText(callKey(a), callKey(b)));
    return {
      ...base,
      sources: reads.map(r => r.source),
      wouldBreak: sorted(report.wouldBreak.map(w => wouldBreakCall(w, mask))),
      noLongerBroken: sorted(report.noLongerBroken.map(w => wouldBreakCall(w, mask))),
      unjudged: sorted(report.unjudged.map(u => unjudgedCall(u, mask))),
      alreadyDenied: report.alreadyDenied,
    };
  } catch (e) {
    return { ...base, failure: `the observed calls could not be judged: ${messageOf(e)}` };
  }
}
