import { workerData } from 'node:worker_threads';
import { Entity } from '@backstage/catalog-model';
import { CellsSettings } from '@cellplane/cells-common';
import type { CatalogSnapshot } from '../reconciler/types';
import { catalogSnapshot } from '../reconciler/snapshot';
import { Analyst } from '../service/analyst';
import { AnalysisOp, AnalysisTasks, runAnalysis } from './tasks';

/** One task as posted to a worker: the snapshot by id, with its shared bytes in case this worker has not read it yet. */
export interface WorkerTask<K extends AnalysisOp = AnalysisOp> {
  snapshotId: number;
  /** The snapshot's entities as JSON, one per line, in a SharedArrayBuffer: shared with every worker, never copied per task. */
  entities: SharedArrayBuffer;
  op: K;
  input: AnalysisTasks[K]['input'];
}

/** A task's answer; an error the analysis throws on purpose (InputError, ConflictError) travels as its name and message. */
export type WorkerReply<K extends AnalysisOp = AnalysisOp> = { value: AnalysisTasks[K]['output'] } | { error: { name: string; message: string } };

/** What the pool gives every worker at start. */
export interface WorkerSetup {
  settings: CellsSettings;
}

/** How many snapshots a worker keeps (the current one and the one before it, for tasks posted just before a change). */
const KEPT_SNAPSHOTS = 2;

let analyst: Analyst | undefined;
const snapshots = new Map<number, CatalogSnapshot>();
/** The last snapshot's entities by their JSON: an unchanged entity stays the same object, so compilation stays incremental. */
let interned = new Map<string, Entity>();

function snapshotOf(task: WorkerTask, settings: CellsSettings): CatalogSnapshot {
  let snapshot = snapshots.get(task.snapshotId);
  if (!snapshot) {
    const next = new Map<string, Entity>();
    const text = Buffer.from(task.entities).toString('utf8');
    const entities =
      text === ''
        ? []
        : text.split('\n').map(line => {
            const entity = interned.get(line) ?? (JSON.parse(line) as Entity);
            next.set(line, entity);
            return entity;
          });
    interned = next;
    snapshot = catalogSnapshot(entities, settings);
    snapshots.set(task.snapshotId, snapshot);
    while (snapshots.size > KEPT_SNAPSHOTS) snapshots.delete(Math.min(...snapshots.keys()));
  }
  return snapshot;
}

/** The worker thread's entry (piscina calls the default export once per task). */
export default async function analyseInWorker(task: WorkerTask): Promise<WorkerReply> {
  try {
    const { settings } = workerData as WorkerSetup;
    analyst ??= new Analyst(settings);
    return { value: await runAnalysis(analyst, snapshotOf(task, settings), task.op, task.input) };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    return { error: { name: error.name, message: error.message } };
  }
}
