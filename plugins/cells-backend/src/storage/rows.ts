import { InputError } from '@backstage/errors';
import { Knex } from 'knex';

/** Rows per statement: keeps bound parameters far below SQLite's and PostgreSQL's limits. */
const CHUNK = 100;

export type CellKey = { entityRef: string; environment: string };

/**
 * A timestamp column as an ISO string. PostgreSQL hands back Dates; SQLite
 * hands back what knex bound (epoch milliseconds for a Date) or, for values
 * written by SQL, `YYYY-MM-DD HH:MM:SS` in UTC.
 */
export function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return new Date(Number(value)).toISOString();
    const utc = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
    const date = new Date(utc);
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  }
  throw new Error(`Unreadable timestamp in the cells database: ${String(value)}`);
}

export function optionalIso(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : toIso(value);
}

/** `{ [key]: value }`, or nothing when there is no value: optional API fields stay absent, not null. */
export function withOptional<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return value === null || value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

/** An ISO time from the API as a Date to bind; a bad one is the caller's error, named. */
export function toDate(iso: string, field: string): Date {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    throw new InputError(`${field} must be an ISO time, got ${JSON.stringify(iso)}`);
  }
  return date;
}

export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** Where (entity_ref, environment) is one of keys. */
export function whereCellKeys(query: Knex.QueryBuilder, keys: CellKey[]) {
  return query.where(builder => {
    for (const key of keys) {
      builder.orWhere({
        entity_ref: key.entityRef,
        environment: key.environment,
      });
    }
  });
}

/** The opaque history cursor: the id of the last entry of the page, base64url JSON. */
export function encodeCursor(lastId: number): string {
  return Buffer.from(JSON.stringify({ before: lastId }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  let before: unknown;
  try {
    before = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))?.before;
  } catch {
    before = undefined;
  }
  if (typeof before !== 'number' || !Number.isSafeInteger(before) || before < 1) {
    throw new InputError('cursor is not a cursor this API handed out; pass the nextCursor of the previous page, or leave it out for the first page');
  }
  return before;
}
