import { useEffect, useMemo } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import Typography from '@material-ui/core/Typography';
import { useSearchParams } from 'react-router-dom';
import { useApi } from '@backstage/frontend-plugin-api';
import { cellsApiRef } from '../api/CellsApi';
import { warmLayoutWorker } from '../lib/layout';
import { inNaturalOrder } from '../lib/naturalOrder';
import type { Schedule } from '../lib/schedule';
import { CellsGraph } from './graph/CellsGraph';
import { EmptyState } from './EmptyState';
import { ErrorNote } from './ErrorNote';
import { LIVE_POLL_INTERVAL_MS, POLL_INTERVAL_MS, useLiveTopology } from './useLiveTopology';

function PendingNote({ shown, pending, seconds }: { shown: number; pending: number; seconds: number }) {
  const text =
    pending === shown
      ? `The cells backend's first reconcile is running: ${pending === 1 ? 'this cell waits' : `all ${pending} cells wait`} to be compiled.`
      : `${pending} of ${shown} cells wait for the next reconcile.`;
  return (
    <Typography role="status" variant="body2" style={{ padding: '4px 0' }}>
      {text} This page refreshes every {seconds} seconds until {pending === 1 ? 'it is' : 'they are'} done.
    </Typography>
  );
}

/**
 * Loads the topology of the environment in the URL and draws it (or says why
 * not), asking again as useLiveTopology says: every `pollIntervalMs` while
 * cells are missing or wait for a reconcile, then every `livePollIntervalMs`.
 */
export function CellsTopology({
  fixedCell,
  pollIntervalMs = POLL_INTERVAL_MS,
  livePollIntervalMs = LIVE_POLL_INTERVAL_MS,
  schedule,
}: {
  fixedCell?: string;
  pollIntervalMs?: number;
  livePollIntervalMs?: number;
  /** Where the next ask is scheduled (the browser's timers; tests fire it by hand). */
  schedule?: Schedule;
}) {
  const api = useApi(cellsApiRef);
  const [params, setParams] = useSearchParams();
  const environment = params.get('environment') ?? undefined;
  useEffect(() => warmLayoutWorker(), []);
  const topology = useLiveTopology(api, { environment, fixedCell, pollIntervalMs, livePollIntervalMs, schedule });
  const waiting = topology.waiting;
  // Cells listed and packed in natural order (cell-2 before cell-10); an unchanged answer keeps its order.
  const sorted = useMemo(() => topology.value && inNaturalOrder(topology.value), [topology.value]);
  const seconds = Math.max(1, Math.round(pollIntervalMs / 1000));
  if (topology.error && !topology.value) return <ErrorNote error={topology.error} what="the cell topology" />;
  if (!sorted) return <Typography>Loading cells…</Typography>;
  if (sorted.cells.length === 0) return <EmptyState checkingEverySeconds={seconds} />;
  let notice: JSX.Element | undefined;
  if (topology.error) {
    notice = (
      <Typography role="alert" color="error" variant="body2" style={{ padding: '4px 0' }}>
        Could not refresh the cell topology: {topology.error.message}. The graph shows the last answer; the page asks again in{' '}
        {Math.max(1, Math.round(livePollIntervalMs / 1000))} seconds.
      </Typography>
    );
  } else if (waiting && waiting.pending > 0) {
    notice = <PendingNote shown={waiting.shown} pending={waiting.pending} seconds={seconds} />;
  }
  return (
    <ReactFlowProvider>
      <CellsGraph
        topology={sorted}
        fixedCell={fixedCell}
        notice={notice}
        onEnvironmentChange={env =>
          setParams(prev => {
            const next = new URLSearchParams(prev);
            next.set('environment', env);
            return next;
          })
        }
      />
    </ReactFlowProvider>
  );
}

/** The `/cells` page (the app's page header above it already says "Cells"). */
export function CellsPage() {
  return (
    <div style={{ padding: '0 16px 16px', height: 'calc(100vh - 96px)', boxSizing: 'border-box' }}>
      <CellsTopology />
    </div>
  );
}
