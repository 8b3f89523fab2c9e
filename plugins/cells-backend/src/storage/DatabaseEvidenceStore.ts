import { DatabaseService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { LayerName, VerificationRecord } from '@cellplane/cells-common';
import { Knex } from 'knex';
import { chunks, decodeCursor, encodeCursor, toIso, withOptional } from './rows';

/** One verification of one cell, as kept. */
export interface StoredVerification extends VerificationRecord {
  entityRef: string;
}

/** What the portal recorded about a cell (beside Backstage's auditor service). */
export interface AuditEvent {
  id: number;
  at: string;
  /** `reconcile`, `preview`, `report-download` or `enforcement-change`. */
  action: string;
  entityRef?: string;
  environment?: string;
  /** The caller: a user entity ref, a service's subject, or `catalog` for a change the catalog brought. */
  actor: string;
  outcome: 'succeeded' | 'failed';
  detail?: Record<string, unknown>;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

/** Largest page one call returns. */
export const MAX_EVIDENCE_PAGE = 500;

/**
 * The evidence kept over the audit period: verification runs and the audit
 * trail. Rows older than the period go with `prune` (the scheduled verification
 * calls it); everything else only adds.
 */
export interface EvidenceStore {
  addVerifications(records: StoredVerification[]): Promise<void>;
  /** Newest first; `since` (ISO) keeps only runs at or after it; at most `limit`. */
  listVerifications(query: { entityRef: string; environment?: string; since?: string; limit: number }): Promise<StoredVerification[]>;
  addAuditEvents(events: NewAuditEvent[]): Promise<void>;
  /** Newest first; `cursor` is the `nextCursor` of the previous page. */
  listAuditEvents(query: { entityRef: string; limit: number; cursor?: string }): Promise<{ items: AuditEvent[]; nextCursor?: string }>;
  /** Deletes verifications and audit events older than `before` (ISO); returns how many of each went. */
  prune(before: string): Promise<{ verifications: number; auditEvents: number }>;
}

type VerificationRow = {
  entity_ref: string;
  environment: string;
  at: unknown;
  result: string;
  requests_checked: number;
  violations: number;
  allowed: number | null;
  denied_by: string | null;
  manifests_digest: string | null;
  cellplane_version: string | null;
  trigger: string | null;
};

type AuditRow = {
  id: number | string;
  at: unknown;
  action: string;
  entity_ref: string | null;
  environment: string | null;
  actor: string;
  outcome: string;
  detail: string | null;
};

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVIDENCE_PAGE) {
    throw new InputError(`limit must be a whole number from 1 to ${MAX_EVIDENCE_PAGE}, got ${limit}`);
  }
}

/** The evidence tables of the cells database (migrations/20261202200000_evidence_store.js; DatabaseCellsStore.create runs them). */
export class DatabaseEvidenceStore implements EvidenceStore {
  static async create(options: { database: DatabaseService }): Promise<DatabaseEvidenceStore> {
    return new DatabaseEvidenceStore(await options.database.getClient());
  }

  constructor(private readonly db: Knex) {}

  async addVerifications(records: StoredVerification[]): Promise<void> {
    const rows = records.map(r => ({
      entity_ref: r.entityRef,
      environment: r.environment,
      at: new Date(r.at),
      result: r.result,
      requests_checked: r.requestsChecked,
      violations: r.violations,
      allowed: r.allowed ?? null,
      denied_by: r.deniedBy ? JSON.stringify(r.deniedBy) : null,
      manifests_digest: r.manifestsDigest ?? null,
      cellplane_version: r.cellplaneVersion ?? null,
      trigger: r.trigger ?? null,
    }));
    await this.db.transaction(async tx => {
      for (const chunk of chunks(rows)) await tx('cells_verifications').insert(chunk);
    });
  }

  async listVerifications(query: { entityRef: string; environment?: string; since?: string; limit: number }): Promise<StoredVerification[]> {
    if (!Number.isInteger(query.limit) || query.limit < 1) throw new InputError(`limit must be a whole number, at least 1, got ${query.limit}`);
    const select = this.db<VerificationRow>('cells_verifications')
      .where({ entity_ref: query.entityRef })
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(query.limit);
    if (query.environment) select.where({ environment: query.environment });
    if (query.since) select.where('at', '>=', new Date(query.since));
    const rows: VerificationRow[] = await select;
    return rows.map(row => ({
      entityRef: row.entity_ref,
      at: toIso(row.at),
      environment: row.environment,
      result: row.result === 'pass' ? 'pass' : 'fail',
      requestsChecked: Number(row.requests_checked),
      violations: Number(row.violations),
      ...withOptional('allowed', row.allowed === null ? null : Number(row.allowed)),
      ...withOptional('deniedBy', row.denied_by === null ? null : (JSON.parse(row.denied_by) as Record<LayerName, number>)),
      ...withOptional('manifestsDigest', row.manifests_digest),
      ...withOptional('cellplaneVersion', row.cellplane_version),
      ...withOptional('trigger', row.trigger),
    }));
  }

  async addAuditEvents(events: NewAuditEvent[]): Promise<void> {
    const rows = events.map(e => ({
      at: new Date(e.at),
      action: e.action,
      entity_ref: e.entityRef ?? null,
      environment: e.environment ?? null,
      actor: e.actor,
      outcome: e.outcome,
      detail: e.detail ? JSON.stringify(e.detail) : null,
    }));
    await this.db.transaction(async tx => {
      for (const chunk of chunks(rows)) await tx('cells_audit_events').insert(chunk);
    });
  }

  async listAuditEvents(query: { entityRef: string; limit: number; cursor?: string }): Promise<{ items: AuditEvent[]; nextCursor?: string }> {
    checkLimit(query.limit);
    // Keyset pages on the id, as the history's: newest first, nothing skipped or repeated while events arrive.
    const select = this.db<AuditRow>('cells_audit_events')
      .where({ entity_ref: query.entityRef })
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (query.cursor !== undefined) select.where('id', '<', decodeCursor(query.cursor));
    const rows: AuditRow[] = await select;
    const items = rows.slice(0, query.limit).map(row => ({
      id: Number(row.id),
      at: toIso(row.at),
      action: row.action,
      ...withOptional('entityRef', row.entity_ref),
      ...withOptional('environment', row.environment),
      actor: row.actor,
      outcome: row.outcome === 'failed' ? ('failed' as const) : ('succeeded' as const),
      ...withOptional('detail', row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>)),
    }));
    return rows.length > query.limit ? { items, nextCursor: encodeCursor(items[items.length - 1].id) } : { items };
  }

  async prune(before: string): Promise<{ verifications: number; auditEvents: number }> {
    const cutoff = new Date(before);
    const verifications = await this.db('cells_verifications').where('at', '<', cutoff).delete();
    const auditEvents = await this.db('cells_audit_events').where('at', '<', cutoff).delete();
    return { verifications, auditEvents };
  }
}
