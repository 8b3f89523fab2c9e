import { useEffect, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import Typography from '@material-ui/core/Typography';
import { useSearchParams } from 'react-router-dom';
import type { TopologyResponse } from '@cellplane/cells-common';
import { useApi } from '@backstage/frontend-plugin-api';
import { cellsApiRef } from '../api/CellsApi';
import { mark } from '../lib/marks';
import { CellsGraph } from './CellsGraph';
import { EmptyState } from './EmptyState';
import { ErrorNote } from './ErrorNote';
import { useAsync } from './useAsync';

/** How often the page asks again while it waits for cells, or for the cells backend to reconcile them. */
export const POLL_INTERVAL_MS = 5000;

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

/**
 * Loads the topology of the environment in the URL and draws it (or says why
 * not). While there are no cells yet, or cells wait for a reconcile (a portal
 * that has just started), it asks again every `pollIntervalMs`.
 */
export function CellsTopology({ fixedCell, pollIntervalMs = POLL_INTERVAL_MS }: { fixedCell?: string; pollIntervalMs?: number }) {
  const api = useApi(cellsApiRef);
  const [params, setParams] = useSearchParams();
  const environment = params.get('environment') ?? undefined;
  const [refresh, setRefresh] = useState(0);
  const topology = useAsync(() => {
    mark('topology-requested');
    return api.getTopology(environment).finally(() => mark('topology-received'));
  }, [api, environment, refresh]);
  const waiting = topology.value ? waitingCells(topology.value, fixedCell) : undefined;
  const poll = waiting !== undefined && (waiting.shown === 0 || waiting.pending > 0);
  useEffect(() => {
    if (!poll || topology.loading) return undefined;
    const timer = setTimeout(() => setRefresh(n => n + 1), pollIntervalMs);
    return () => clearTimeout(timer);
  }, [poll, topology.loading, pollIntervalMs]);
  const seconds = Math.max(1, Math.round(pollIntervalMs / 1000));
  if (topology.error) return <ErrorNote error={topology.error} what="the cell topology" />;
  if (!topology.value) return <Typography>Loading cells…</Typography>;
  if (topology.value.cells.length === 0) return <EmptyState checkingEverySeconds={seconds} />;
  return (
    <ReactFlowProvider>
      <CellsGraph
        topology={topology.value}
        fixedCell={fixedCell}
        notice={waiting && waiting.pending > 0 ? <PendingNote shown={waiting.shown} pending={waiting.pending} seconds={seconds} /> : undefined}
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
