import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import { CellsSettings } from '@cellplane/cells-common';
import { Piscina } from 'piscina';
import type { CatalogSnapshot } from '../reconciler/types';
import { Analyst } from '../service/analyst';
import { TrafficSourceUnavailableError } from '../service/traffic';
import { AnalysisOp, AnalysisTasks, OPERATION_NAMES, runAnalysis } from './tasks';
import analyseInWorker, { WorkerReply, WorkerSetup, WorkerTask } from './worker';

/** How busy the analysis is, for the metrics. */
export interface AnalysisStats {
  /** Worker threads running (0: everything runs on the event loop). */
  threads: number;
  /** Tasks waiting for a free worker. */
  queued: number;
  /** Share of the workers' time spent running tasks since start (0..1). */
  utilization: number;
}

/** Runs the heavy analysis calls (tasks.ts), inline or in worker threads. */
export interface AnalysisRunner {
  run<K extends AnalysisOp>(snapshot: CatalogSnapshot, op: K, input: AnalysisTasks[K]['input']): Promise<AnalysisTasks[K]['output']>;
  stats(): AnalysisStats;
  close(): Promise<void>;
}

/** No pool: the calls run on the event loop, with the caller's analyst (tests, `cells.workers.size: 0`). */
export class InlineAnalysis implements AnalysisRunner {
  constructor(readonly analyst: Analyst) {}

  async run<K extends AnalysisOp>(snapshot: CatalogSnapshot, op: K, input: AnalysisTasks[K]['input']): Promise<AnalysisTasks[K]['output']> {
    return await runAnalysis(this.analyst, snapshot, op, input);
  }

  stats(): AnalysisStats {
    return { threads: 0, queued: 0, utilization: 0 };
  }

  async close(): Promise<void> {}
}

/**
 * The worker entry: the built module in the package's dist/workers/, or, from
 * the TypeScript sources, a bootstrap that loads backstage-cli's transform first.
 * (Referencing analyseInWorker keeps the worker module in the built package.)
 */
export function workerFilename(): string {
  if (typeof analyseInWorker !== 'function') throw new Error('the analysis worker module is missing');
  const fromSources = __filename.endsWith('.ts');
  return resolvePackagePath('@cellplane/plugin-cells-backend', fromSources ? 'src/workers/devWorker.cjs' : 'dist/workers/worker.cjs.js');
}

const KNOWN_ERRORS: Record<string, new (message: string) => Error> = {
  InputError,
  ConflictError,
  NotFoundError,
  NotAllowedError,
  TrafficSourceUnavailableError,
};

/**
 * The calls in a piscina pool of worker threads. Each catalog snapshot is
 * encoded once (its entities as JSON lines in a SharedArrayBuffer, each
 * entity serialised once for as long as the catalog keeps it) and shared with
 * every worker; a worker reads it on its first task of that snapshot and keeps
 * it by id. A worker that dies fails its task with a 503 naming the
 * operation; piscina starts another.
 */
export class PooledAnalysis implements AnalysisRunner {
  private readonly pool: Piscina<WorkerTask, WorkerReply>;
  private readonly encoded = new WeakMap<CatalogSnapshot, { snapshotId: number; entities: SharedArrayBuffer }>();
  private readonly entityJson = new WeakMap<Entity, string>();
  private nextId = 1;

  constructor(options: { size: number; settings: CellsSettings; filename?: string }) {
    const setup: WorkerSetup = { settings: options.settings };
    this.pool = new Piscina({
      filename: options.filename ?? workerFilename(),
      minThreads: options.size,
      maxThreads: options.size,
      // Tasks wait in the pool's queue rather than fail when every worker is busy.
      maxQueue: Infinity,
      idleTimeout: Infinity,
      workerData: setup,
    });
    // Without a task, a failed worker's error is reported here; each task's own failure reaches its caller.
    this.pool.on('error', () => undefined);
  }

  private encode(snapshot: CatalogSnapshot) {
    let encoded = this.encoded.get(snapshot);
    if (!encoded) {
      const lines: string[] = [];
      for (const entity of snapshot.entities.values()) {
        let json = this.entityJson.get(entity);
        if (json === undefined) this.entityJson.set(entity, (json = JSON.stringify(entity)));
        lines.push(json);
      }
      const text = lines.join('\n');
      const entities = new SharedArrayBuffer(Buffer.byteLength(text));
      Buffer.from(entities).write(text);
      encoded = { snapshotId: this.nextId++, entities };
      this.encoded.set(snapshot, encoded);
    }
    return encoded;
  }

  async run<K extends AnalysisOp>(snapshot: CatalogSnapshot, op: K, input: AnalysisTasks[K]['input']): Promise<AnalysisTasks[K]['output']> {
    const task: WorkerTask<K> = { ...this.encode(snapshot), op, input };
    let reply: WorkerReply<K>;
    try {
      reply = (await this.pool.run(task)) as WorkerReply<K>;
    } catch (e) {
      throw new ServiceUnavailableError(`the ${OPERATION_NAMES[op]} failed in its worker thread (${e instanceof Error ? e.message : String(e)}); try again`);
    }
    if ('error' in reply) {
      const Known = KNOWN_ERRORS[reply.error.name];
      throw Known ? new Known(reply.error.message) : new Error(`the ${OPERATION_NAMES[op]} failed: ${reply.error.message}`);
    }
    return reply.value;
  }

  stats(): AnalysisStats {
    return { threads: this.pool.threads.length, queued: this.pool.queueSize, utilization: this.pool.utilization };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
