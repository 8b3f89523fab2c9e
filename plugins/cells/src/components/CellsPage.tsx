import { useEffect, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import Typography from '@material-ui/core/Typography';
import { useSearchParams } from 'react-router-dom';
import type { TopologyResponse } from '@cellplane/cells-common';
import { useApi } from '@backstage/frontend-plugin-api';
import { cellsApiRef } from '../api/CellsApi';
import { warmLayoutWorker } from '../lib/layout';
import { mark } from '../lib/marks';
import { CellsGraph } from './CellsGraph';
import { EmptyState } from './EmptyState';
import { ErrorNote } from './ErrorNote';
import { useAsync } from './useAsync';

/** How often the page asks again while it waits for cells, or for the cells backend to reconcile them. */
export const POLL_INTERVAL_MS = 5000;
/**
 * How often a drawn page asks for the topology again, so states, drift and
 * catalog changes show without a reload. Cheap: the client revalidates with
 * the topology's ETag, and an unchanged answer is a 304 the page ignores.
 */
export const LIVE_POLL_INTERVAL_MS = 10000;

/** Cells (of those shown) that wait for the cells backend: `pending` until a reconcile compiles them. */
function waitingCells(topology: TopologyResponse, fixedCell?: string) {
  const shown = fixedCell ? topology.cells.filter(c => c.entityRef === fixedCell) : topology.cells;
  return { shown: shown.length, pending: shown.filter(c => c.state === 'pending').length };
}

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

/** True while the page's tab is in view (nothing is polled for a hidden tab). */
function useDocumentVisible(): boolean {
  const [visible, setVisible] = useState(() => typeof document === 'undefined' || document.visibilityState !== 'hidden');
  useEffect(() => {
    const onChange = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  return visible;
}

/**
 * Loads the topology of the environment in the URL and draws it (or says why
 * not). While there are no cells yet, or cells wait for a reconcile (a portal
 * that has just started), it asks again every `pollIntervalMs`; after that
 * every `livePollIntervalMs`, while the tab is visible.
 */
export function CellsTopology({
  fixedCell,
  pollIntervalMs = POLL_INTERVAL_MS,
  livePollIntervalMs = LIVE_POLL_INTERVAL_MS,
}: {
  fixedCell?: string;
  pollIntervalMs?: number;
  livePollIntervalMs?: number;
}) {
  const api = useApi(cellsApiRef);
  const [params, setParams] = useSearchParams();
  const environment = params.get('environment') ?? undefined;
  const [refresh, setRefresh] = useState(0);
  useEffect(() => warmLayoutWorker(), []);
  const topology = useAsync(() => {
    mark('topology-requested');
    return api.getTopology(environment).finally(() => mark('topology-received'));
  }, [api, environment, refresh], { keepValueOnError: true });
  const waiting = topology.value ? waitingCells(topology.value, fixedCell) : undefined;
  const waitingForCells = waiting !== undefined && (waiting.shown === 0 || waiting.pending > 0);
  const visible = useDocumentVisible();
  // A failed request is asked again too (a backend restarting answers a moment later).
  const drawnOrFailed = topology.value !== undefined || topology.error !== undefined;
  useEffect(() => {
    if (!drawnOrFailed || topology.loading || !visible) return undefined;
    const timer = setTimeout(() => setRefresh(n => n + 1), waitingForCells ? pollIntervalMs : livePollIntervalMs);
    return () => clearTimeout(timer);
  }, [drawnOrFailed, waitingForCells, topology.loading, visible, pollIntervalMs, livePollIntervalMs]);
  const seconds = Math.max(1, Math.round(pollIntervalMs / 1000));
  if (topology.error && !topology.value) return <ErrorNote error={topology.error} what="the cell topology" />;
  if (!topology.value) return <Typography>Loading cells…</Typography>;
  if (topology.value.cells.length === 0) return <EmptyState checkingEverySeconds={seconds} />;
  let notice: JSX.Element | undefined;
  if (topology.error) {
    notice = (
      <Typography role="alert" color="error" variant="body2" style={{ padding: '4px 0' }}>
        Could not refresh the cell topology: {topology.error.message}. The graph shows the last answer; the page asks again
        in {Math.max(1, Math.round(livePollIntervalMs / 1000))} seconds.
      </Typography>
    );
  } else if (waiting && waiting.pending > 0) {
    notice = <PendingNote shown={waiting.shown} pending={waiting.pending} seconds={seconds} />;
  }
  return (
    <ReactFlowProvider>
      <CellsGraph
        topology={topology.value}
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
