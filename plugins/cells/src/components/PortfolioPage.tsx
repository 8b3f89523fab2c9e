import { useMemo, useState } from 'react';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/frontend-plugin-api';
import { cellsApiRef } from '../api/CellsApi';
import type { PortfolioResponse, PortfolioRow } from '../api/types';
import type { ReportFormat } from '../api/CellsClient';
import { filterByOwner, ownersOf, portfolioCsv, PORTFOLIO_COLUMNS, SortDirection, sortRows } from '../lib/portfolio';
import { saveFile } from '../lib/saveFile';
import { REPORT_FORMATS } from './EvidenceDownload';
import { ErrorNote } from './ErrorNote';
import { useAsync } from './useAsync';

const ALL_OWNERS = '';

/** An entity ref that may wrap after its `:` and `/` only (the text stays the same). */
function BreakableRef({ text }: { text: string }) {
  const parts = text.split(/(?<=[:/])/);
  return (
    <>
      {parts.map((part, i) => (
        <span key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </span>
      ))}
    </>
  );
}

/** Headings and cells wrap between words, never inside one. */
const NO_WORD_BREAK = { overflowWrap: 'normal', wordBreak: 'normal', hyphens: 'none' } as const;

const RESULT_COLORS: Record<PortfolioRow['verification']['result'], string> = { pass: '#2e7d32', fail: '#c62828', error: '#c62828' };

/** Where each environment's unused grants came from, when not every one was read. */
function TrafficNote({ traffic }: { traffic: PortfolioResponse['traffic'] }) {
  const unread = traffic.filter(t => t.state !== 'read');
  if (unread.length === 0) return null;
  return (
    <Typography variant="body2" role="note" style={{ marginBottom: 8 }}>
      Unused grants: {unread.map(t => `${t.environment}: ${t.message ?? t.state}`).join('; ')}
    </Typography>
  );
}

/**
 * `/cells/portfolio`: every cell the user may read, per environment, with its
 * latest verification, days since its last access change, grants without a
 * reason, unused grants, public endpoints without authentication and egress
 * entries (docs/evidence.md, "Portfolio"), as the backend answers them.
 * Sortable by each column, filtered by owner, exported as CSV as shown;
 * each row downloads its cell's evidence pack, the owner's filter a bundle.
 */
export function PortfolioPage() {
  const api = useApi(cellsApiRef);
  const portfolio = useAsync(() => api.getPortfolio(), [api]);
  const [owner, setOwner] = useState(ALL_OWNERS);
  const [sort, setSort] = useState<{ column: string; direction: SortDirection }>({ column: 'cell', direction: 'asc' });
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const items = portfolio.value?.items;
  const owners = useMemo(() => ownersOf(items ?? []), [items]);
  const shown = useMemo(
    () => sortRows(filterByOwner(items ?? [], owner === ALL_OWNERS ? undefined : owner), sort.column, sort.direction),
    [items, owner, sort],
  );

  if (portfolio.error) return <ErrorNote error={portfolio.error} what="the portfolio" />;
  if (!portfolio.value) return <Typography>Loading the portfolio…</Typography>;

  const download = async (key: string, get: () => Promise<{ blob: Blob; filename: string }>) => {
    setBusy(key);
    setError(undefined);
    try {
      const { blob, filename } = await get();
      saveFile(blob, filename);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(undefined);
    }
  };
  const packOf = (row: PortfolioRow, format: ReportFormat) =>
    download(`${row.entityRef}|${row.environment}|${format}`, () => api.getReport(row.entityRef, format, row.environment));
  const toggle = (column: string) => setSort(s => ({ column, direction: s.column === column && s.direction === 'asc' ? 'desc' : 'asc' }));
  const exportCsv = () => saveFile(new Blob([portfolioCsv(shown)], { type: 'text/csv;charset=utf-8' }), 'cells-portfolio.csv');
  const bundleScope = owner === ALL_OWNERS ? { all: true as const } : { owner };
  const bundleLabel = owner === ALL_OWNERS ? 'Evidence of all cells (PDF)' : "This owner's evidence (PDF)";
  // On hover: the cell's ref, a verification's error, the run's exact time.
  const hint = (row: PortfolioRow, column: string) =>
    ({ cell: row.entityRef, verification: row.verification.message, verifiedAt: row.verification.at }[column]);

  return (
    <div style={{ padding: 16 }}>
      <div style={{ display: 'flex', gap: 16, alignItems: 'center', marginBottom: 8, flexWrap: 'wrap' }}>
        <TextField
          select
          label="Owner"
          value={owner}
          onChange={e => setOwner(e.target.value)}
          style={{ minWidth: 280 }}
          InputLabelProps={{ shrink: true }}
          SelectProps={{ displayEmpty: true, SelectDisplayProps: { 'aria-label': 'filter by owner' } as object }}
        >
          <MenuItem value={ALL_OWNERS}>All owners</MenuItem>
          {owners.map(o => (
            <MenuItem key={o} value={o}>
              {o}
            </MenuItem>
          ))}
        </TextField>
        <Button variant="outlined" onClick={exportCsv}>
          Export CSV
        </Button>
        <Button variant="outlined" disabled={busy !== undefined} onClick={() => download('bundle', () => api.getBundleReport(bundleScope, 'pdf'))}>
          {busy === 'bundle' ? 'Preparing…' : bundleLabel}
        </Button>
        <Typography variant="body2">
          {shown.length} of {portfolio.value.items.length} rows
        </Typography>
      </div>
      <TrafficNote traffic={portfolio.value.traffic} />
      {error && <ErrorNote error={error} what="the evidence" />}
      <Table size="small" aria-label="portfolio">
        <TableHead>
          <TableRow>
            {PORTFOLIO_COLUMNS.map(c => (
              <TableCell key={c.id} align={c.numeric ? 'right' : 'left'} sortDirection={sort.column === c.id ? sort.direction : false} style={NO_WORD_BREAK}>
                <TableSortLabel active={sort.column === c.id} direction={sort.column === c.id ? sort.direction : 'asc'} onClick={() => toggle(c.id)}>
                  {c.label}
                </TableSortLabel>
              </TableCell>
            ))}
            <TableCell>Evidence pack</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {shown.map(row => (
            <TableRow key={`${row.entityRef}|${row.environment}`} data-cell={row.entityRef}>
              {PORTFOLIO_COLUMNS.map(c => (
                <TableCell
                  key={c.id}
                  align={c.numeric ? 'right' : 'left'}
                  title={hint(row, c.id)}
                  style={{
                    ...NO_WORD_BREAK,
                    ...(c.id === 'verification' ? { color: RESULT_COLORS[row.verification.result], fontWeight: 600 } : {}),
                    ...(c.id === 'verifiedAt' ? { whiteSpace: 'nowrap' } : {}),
                  }}
                >
                  {c.id === 'owner' ? <BreakableRef text={c.text(row)} /> : c.text(row)}
                </TableCell>
              ))}
              <TableCell style={{ whiteSpace: 'nowrap' }}>
                {REPORT_FORMATS.map(({ format, label }) => (
                  <Button
                    key={format}
                    size="small"
                    disabled={busy !== undefined}
                    aria-label={`${label} evidence of ${row.title} in ${row.environment}`}
                    onClick={() => packOf(row, format)}
                    style={{ minWidth: 0 }}
                  >
                    {format.toUpperCase()}
                  </Button>
                ))}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
