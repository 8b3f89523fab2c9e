import { randomUUID } from 'node:crypto';
import { DatabaseService, LoggerService, resolvePackagePath } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import type { HistoryEntry, ReconcileRun, RunCellResult } from '../schema/types';
import { Knex } from 'knex';
import { CellKey, chunks, decodeCursor, encodeCursor, optionalIso, toDate, toIso, whereCellKeys, withOptional } from './rows';
import { AppliedCellRecord, CellsStore, GoodCompilation, NewHistoryEntry, StoredCellStatus } from './types';

/** The package's knex migrations (plain .js files, shipped in the package). */
export function cellsMigrationsDir(): string {
  return resolvePackagePath('@cellplane/plugin-cells-backend', 'migrations');
}

/** Largest page of history one call returns. */
export const MAX_HISTORY_PAGE = 500;

type RunRow = {
  run_id: string;
  state: string;
  trigger: string;
  requested_by: string | null;
  entity_ref: string | null;
  started_at: unknown;
  finished_at: unknown;
  cells: string | null;
  error: string | null;
};

type StatusRow = {
  entity_ref: string;
  environment: string;
  namespace: string;
  target: string;
  state: string;
  message: string;
  last_reconciled_at: unknown;
  objects: string;
  updated_at: unknown;
};

type GoodCompilationRow = {
  entity_ref: string;
  environment: string;
  namespace: string;
  hash: string;
  objects: string;
  model: string;
  compiled_at: unknown;
};

type AppliedRow = {
  entity_ref: string;
  environment: string;
  cell_name: string;
  namespace: string;
};

type HistoryRow = {
  id: number | string;
  entity_ref: string;
  environment: string;
  run_id: string;
  at: unknown;
  summary: string;
  cause: string;
  created: string;
  updated: string;
  pruned: string;
  access_diff: string;
  change_by: string | null;
  change_link: string | null;
  change_reason: string | null;
};

/**
 * The cells backend's store on Backstage's database service: SQLite in
 * development, PostgreSQL in production. Create it with
 * `DatabaseCellsStore.create`, which brings the schema up to date first.
 */
export class DatabaseCellsStore implements CellsStore {
  /**
   * Runs the package's migrations (unless the database service says to skip
   * them) and returns the store.
   */
  static async create(options: { database: DatabaseService; logger?: LoggerService }): Promise<DatabaseCellsStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      const [, applied] = await knex.migrate.latest({
        directory: cellsMigrationsDir(),
      });
      if (applied.length > 0) {
        options.logger?.info(`Cells database migrated: ${applied.join(', ')}`);
      }
    }
    return new DatabaseCellsStore(knex);
  }

  private constructor(private readonly db: Knex) {}

  async createRun(run: { trigger: ReconcileRun['trigger']; requestedBy?: string; entityRef?: string; owner?: string; environment?: string }): Promise<string> {
    const runId = randomUUID();
    await this.db('cells_runs').insert({
      run_id: runId,
      state: 'running',
      trigger: run.trigger,
      requested_by: run.requestedBy ?? null,
      entity_ref: run.entityRef ?? null,
      started_at: new Date(),
      owner: run.owner ?? null,
      environment: run.environment ?? null,
    });
    return runId;
  }

  async finishRun(
    runId: string,
    result: {
      state: 'succeeded' | 'failed';
      cells: RunCellResult[];
      error?: string;
    },
  ): Promise<void> {
    const updated = await this.db('cells_runs')
      .where({ run_id: runId })
      .update({
        state: result.state,
        finished_at: new Date(),
        cells: JSON.stringify(result.cells),
        error: result.error ?? null,
      });
    if (updated === 0) throw new NotFoundError(`No reconcile run ${runId}`);
  }

  async getRun(runId: string): Promise<ReconcileRun | undefined> {
    const row: RunRow | undefined = await this.db<RunRow>('cells_runs').where({ run_id: runId }).first();
    if (!row) return undefined;
    return {
      runId: row.run_id,
      state: row.state as ReconcileRun['state'],
      trigger: row.trigger as ReconcileRun['trigger'],
      ...withOptional('requestedBy', row.requested_by),
      startedAt: toIso(row.started_at),
      ...withOptional('finishedAt', optionalIso(row.finished_at)),
      cells: row.cells ? JSON.parse(row.cells) : [],
      ...withOptional('error', row.error),
    };
  }

  async failAbandonedRuns(reason: string, options: { staleBefore?: Date; owner?: string } = {}): Promise<number> {
    const running = this.db('cells_runs').where({ state: 'running' });
    if (options.owner !== undefined) running.andWhere({ owner: options.owner });
    else if (options.staleBefore) {
      // A run whose owner still beats is alive, whichever replica asks.
      const live = this.db('cells_replicas').select('replica_id').where('heartbeat_at', '>=', options.staleBefore);
      running.andWhere(q => q.whereNull('owner').orWhereNotIn('owner', live));
    }
    return await running.update({ state: 'failed', finished_at: new Date(), error: reason });
  }

  async upsertStatuses(statuses: StoredCellStatus[]): Promise<void> {
    if (statuses.length === 0) return;
    const now = new Date();
    const rows = statuses.map(status => ({
      entity_ref: status.entityRef,
      environment: status.environment,
      namespace: status.namespace,
      target: JSON.stringify(status.target),
      state: status.state,
      message: status.message,
      last_reconciled_at: status.lastReconciledAt ? toDate(status.lastReconciledAt, 'lastReconciledAt') : null,
      objects: JSON.stringify(status.objects),
      updated_at: now,
    }));
    await this.db.transaction(async tx => {
      for (const chunk of chunks(rows)) {
        await tx('cells_statuses').insert(chunk).onConflict(['entity_ref', 'environment']).merge();
      }
    });
  }

  async listStatuses(filter: { entityRef?: string; environment?: string; withObjects?: boolean } = {}): Promise<StoredCellStatus[]> {
    const withObjects = filter.withObjects ?? true;
    // Lists (GET /cells, the topology) need only states: leave the per-object JSON in the table.
    const columns = withObjects ? ['*'] : ['entity_ref', 'environment', 'namespace', 'target', 'state', 'message', 'last_reconciled_at'];
    const query = this.db<StatusRow>('cells_statuses').select(columns).orderBy('entity_ref').orderBy('environment');
    if (filter.entityRef) query.where({ entity_ref: filter.entityRef });
    if (filter.environment) query.where({ environment: filter.environment });
    const rows = (await query) as unknown as StatusRow[];
    return rows.map(row => ({
      entityRef: row.entity_ref,
      environment: row.environment,
      namespace: row.namespace,
      target: JSON.parse(row.target),
      state: row.state as StoredCellStatus['state'],
      message: row.message,
      ...withOptional('lastReconciledAt', optionalIso(row.last_reconciled_at)),
      objects: withObjects ? JSON.parse(row.objects) : [],
    }));
  }

  async deleteStatuses(keys: CellKey[]): Promise<void> {
    await this.deleteByCellKeys('cells_statuses', keys);
  }

  async saveGoodCompilations(compilations: GoodCompilation[]): Promise<void> {
    if (compilations.length === 0) return;
    const rows = compilations.map(compilation => ({
      entity_ref: compilation.entityRef,
      environment: compilation.environment,
      namespace: compilation.namespace,
      hash: compilation.hash,
      objects: JSON.stringify(compilation.objects),
      model: JSON.stringify(compilation.model ?? null),
      compiled_at: toDate(compilation.compiledAt, 'compiledAt'),
    }));
    await this.db.transaction(async tx => {
      // Few rows per statement: each holds a whole cell's objects.
      for (const chunk of chunks(rows, 10)) {
        await tx('cells_good_compilations').insert(chunk).onConflict(['entity_ref', 'environment']).merge();
      }
    });
  }

  async getGoodCompilations(filter: { entityRef?: string; environment?: string } = {}): Promise<GoodCompilation[]> {
    const query = this.db<GoodCompilationRow>('cells_good_compilations').orderBy('entity_ref').orderBy('environment');
    if (filter.entityRef) query.where({ entity_ref: filter.entityRef });
    if (filter.environment) query.where({ environment: filter.environment });
    const rows: GoodCompilationRow[] = await query;
    return rows.map(row => ({
      entityRef: row.entity_ref,
      environment: row.environment,
      namespace: row.namespace,
      hash: row.hash,
      objects: JSON.parse(row.objects),
      model: JSON.parse(row.model),
      compiledAt: toIso(row.compiled_at),
    }));
  }

  async deleteGoodCompilations(keys: CellKey[]): Promise<void> {
    await this.deleteByCellKeys('cells_good_compilations', keys);
  }

  async saveAppliedCells(records: AppliedCellRecord[]): Promise<void> {
    if (records.length === 0) return;
    const now = new Date();
    const rows = records.map(record => ({
      entity_ref: record.entityRef,
      environment: record.environment,
      cell_name: record.cellName,
      namespace: record.namespace,
      recorded_at: now,
    }));
    await this.db.transaction(async tx => {
      for (const chunk of chunks(rows)) {
        await tx('cells_applied').insert(chunk).onConflict(['entity_ref', 'environment']).merge();
      }
    });
  }

  async listAppliedCells(filter: { environment?: string } = {}): Promise<AppliedCellRecord[]> {
    const query = this.db<AppliedRow>('cells_applied').orderBy('entity_ref').orderBy('environment');
    if (filter.environment) query.where({ environment: filter.environment });
    const rows: AppliedRow[] = await query;
    return rows.map(row => ({
      entityRef: row.entity_ref,
      environment: row.environment,
      cellName: row.cell_name,
      namespace: row.namespace,
    }));
  }

  async deleteAppliedCells(keys: CellKey[]): Promise<void> {
    await this.deleteByCellKeys('cells_applied', keys);
  }

  async addHistory(entries: NewHistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const at = new Date();
    const rows = entries.map(entry => ({
      entity_ref: entry.entityRef,
      environment: entry.environment,
      run_id: entry.runId,
      at,
      summary: entry.summary,
      cause: JSON.stringify(entry.cause),
      created: JSON.stringify(entry.created),
      updated: JSON.stringify(entry.updated),
      pruned: JSON.stringify(entry.pruned),
      access_diff: JSON.stringify(entry.accessDiff),
      change_by: entry.by ?? null,
      change_link: entry.link ?? null,
      change_reason: entry.reason ?? null,
    }));
    await this.db.transaction(async tx => {
      for (const chunk of chunks(rows)) {
        await tx('cells_history').insert(chunk).onConflict(['run_id', 'entity_ref', 'environment']).ignore();
      }
    });
  }

  async listHistory(query: {
    entityRef?: string;
    environment?: string;
    limit: number;
    cursor?: string;
  }): Promise<{ items: HistoryEntry[]; nextCursor?: string }> {
    const { limit } = query;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_PAGE) {
      throw new InputError(`limit must be a whole number from 1 to ${MAX_HISTORY_PAGE}, got ${limit}`);
    }
    // Keyset pagination on the id: ids only grow, so newest first is id
    // descending, and a page never skips or repeats rows added meanwhile.
    const select = this.db<HistoryRow>('cells_history')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (query.entityRef) select.where({ entity_ref: query.entityRef });
    if (query.environment) select.where({ environment: query.environment });
    if (query.cursor !== undefined) {
      select.where('id', '<', decodeCursor(query.cursor));
    }
    const rows: HistoryRow[] = await select;
    const page = rows.slice(0, limit);
    const items = page.map(row => ({
      id: Number(row.id),
      entityRef: row.entity_ref,
      environment: row.environment,
      at: toIso(row.at),
      runId: row.run_id,
      summary: row.summary,
      cause: JSON.parse(row.cause),
      created: JSON.parse(row.created),
      updated: JSON.parse(row.updated),
      pruned: JSON.parse(row.pruned),
      accessDiff: JSON.parse(row.access_diff),
      ...withOptional('by', row.change_by),
      ...withOptional('link', row.change_link),
      ...withOptional('reason', row.change_reason),
    }));
    return rows.length > limit ? { items, nextCursor: encodeCursor(items[items.length - 1].id) } : { items };
  }

  private async deleteByCellKeys(table: string, keys: CellKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.transaction(async tx => {
      for (const chunk of chunks(keys)) {
        await whereCellKeys(tx(table), chunk).delete();
      }
    });
  }
}
