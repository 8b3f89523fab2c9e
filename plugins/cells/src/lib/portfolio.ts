import type { PortfolioRow } from '../api/types';
import { toCsv } from './csv';

/** A column of the portfolio table: its heading, the text shown (and exported), and what it sorts by. */
export interface PortfolioColumn {
  id: string;
  label: string;
  text: (row: PortfolioRow) => string;
  /** Numbers sort numerically; text in natural order. Undefined sorts last whichever the direction. */
  sortValue: (row: PortfolioRow) => number | string | undefined;
  numeric?: boolean;
}

/** The text of an absent unused-grants count: no traffic was read for the row's environment. */
export const NO_TRAFFIC_SOURCE = 'no traffic source';

/** An ISO time as `YYYY-MM-DD HH:MM UTC` (the same on every machine); empty when absent or not a time. */
export function utcMinute(iso: string | undefined): string {
  const ms = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(ms) ? '' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The text of an absent last access change: the backend keeps no change of the cell there. */
export const NO_CHANGE_KEPT = 'none kept';

const RESULT_ORDER = { error: 0, fail: 1, pass: 2 } as const;

export const PORTFOLIO_COLUMNS: PortfolioColumn[] = [
  { id: 'cell', label: 'Cell', text: r => r.title, sortValue: r => r.title },
  { id: 'owner', label: 'Owner', text: r => r.owner, sortValue: r => r.owner },
  { id: 'environment', label: 'Environment', text: r => r.environment, sortValue: r => r.environment },
  {
    id: 'verification',
    label: 'Verification',
    text: r => r.verification.result,
    // Errors and failures first when ascending: what needs attention.
    sortValue: r => RESULT_ORDER[r.verification.result],
  },
  { id: 'verifiedAt', label: 'Last verified', text: r => utcMinute(r.verification.at), sortValue: r => r.verification.at },
  {
    id: 'accessChange',
    label: 'Days since access change',
    text: r => (r.lastAccessChange?.days === undefined ? NO_CHANGE_KEPT : String(r.lastAccessChange.days)),
    sortValue: r => r.lastAccessChange?.days,
    numeric: true,
  },
  {
    id: 'unreasoned',
    label: 'Grants without reason',
    text: r => `${r.unreasonedGrants} of ${r.grants}`,
    sortValue: r => r.unreasonedGrants,
    numeric: true,
  },
  {
    id: 'unused',
    label: 'Unused grants',
    text: r => (r.unusedGrants === undefined ? NO_TRAFFIC_SOURCE : String(r.unusedGrants)),
    sortValue: r => r.unusedGrants,
    numeric: true,
  },
  {
    id: 'publicWithoutAuth',
    label: 'Public without auth',
    text: r => `${r.publicWithoutAuth} of ${r.publicEndpoints}`,
    sortValue: r => r.publicWithoutAuth,
    numeric: true,
  },
  { id: 'egress', label: 'Egress entries', text: r => String(r.egress), sortValue: r => r.egress, numeric: true },
];

export type SortDirection = 'asc' | 'desc';

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * The rows sorted by one column (stable: ties keep the backend's order, by
 * cell then environment); rows without a value last in either direction.
 */
export function sortRows(rows: PortfolioRow[], columnId: string, direction: SortDirection): PortfolioRow[] {
  const column = PORTFOLIO_COLUMNS.find(c => c.id === columnId);
  if (!column) return rows;
  const sign = direction === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: column.sortValue(row) }))
    .sort((a, b) => {
      if (a.value === undefined && b.value === undefined) return a.index - b.index;
      if (a.value === undefined) return 1;
      if (b.value === undefined) return -1;
      const order = typeof a.value === 'number' && typeof b.value === 'number' ? a.value - b.value : collator.compare(String(a.value), String(b.value));
      return order === 0 ? a.index - b.index : sign * order;
    })
    .map(s => s.row);
}

/** The owners of the rows, each once, sorted. */
export function ownersOf(rows: PortfolioRow[]): string[] {
  return [...new Set(rows.map(r => r.owner))].sort(collator.compare);
}

/** The rows of one owner, or all (undefined). */
export function filterByOwner(rows: PortfolioRow[], owner: string | undefined): PortfolioRow[] {
  return owner === undefined ? rows : rows.filter(r => r.owner === owner);
}

/** The rows as the table shows them (its columns, its order), as CSV with the cell's entity ref first. */
export function portfolioCsv(rows: PortfolioRow[]): string {
  return toCsv(
    ['Entity ref', ...PORTFOLIO_COLUMNS.map(c => c.label)],
    rows.map(r => [r.entityRef, ...PORTFOLIO_COLUMNS.map(c => c.text(r))]),
  );
}
