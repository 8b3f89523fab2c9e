import { useEffect, useState } from 'react';
import type { TopologyResponse } from '../api/types';
import type { CellsApi } from '../api/CellsApi';
import { mark } from '../lib/marks';
import { Schedule, timerSchedule } from '../lib/schedule';
import { AsyncState, useAsync } from './useAsync';

/** How often the page asks again while it waits for cells, or for the cells backend to reconcile them. */
export const POLL_INTERVAL_MS = 5000;
/**
 * How often a drawn page asks for the topology again, so states, drift and
 * catalog changes show without a reload. Cheap: the client revalidates with
 * the topology's ETag, and an unchanged answer is a 304 the page ignores.
 */
export const LIVE_POLL_INTERVAL_MS = 10000;

/** Cells (of those shown) that wait for the cells backend: `pending` until a reconcile compiles them. */
export function waitingCells(topology: TopologyResponse, fixedCell?: string) {
  const shown = fixedCell ? topology.cells.filter(c => c.entityRef === fixedCell) : topology.cells;
  return { shown: shown.length, pending: shown.filter(c => c.state === 'pending').length };
}

/** True while the page's tab is in view (nothing is polled for a hidden tab). */
export function useDocumentVisible(): boolean {
  const [visible, setVisible] = useState(() => typeof document === 'undefined' || document.visibilityState !== 'hidden');
  useEffect(() => {
    const onChange = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  return visible;
}

export interface LiveTopologyOptions {
  environment?: string;
  /** Only this cell's state decides whether the page waits for a reconcile. */
  fixedCell?: string;
  pollIntervalMs?: number;
  livePollIntervalMs?: number;
  /** Where the next ask is scheduled (tests fire it by hand). */
  schedule?: Schedule;
}

/**
 * The topology of an environment, asked again while the tab is visible:
 * every `pollIntervalMs` while there are no cells yet or cells wait for a
 * reconcile (a portal that has just started), else every
 * `livePollIntervalMs`. A failed ask keeps the last answer beside the error
 * and is asked again too (a backend restarting answers a moment later). One
 * ask at a time: the next is scheduled when the last one has answered.
 */
export function useLiveTopology(
  api: Pick<CellsApi, 'getTopology'>,
  { environment, fixedCell, pollIntervalMs = POLL_INTERVAL_MS, livePollIntervalMs = LIVE_POLL_INTERVAL_MS, schedule = timerSchedule }: LiveTopologyOptions = {},
): AsyncState<TopologyResponse> & { waiting?: { shown: number; pending: number } } {
  const [refresh, setRefresh] = useState(0);
  const topology = useAsync(
    () => {
      mark('topology-requested');
      return api.getTopology(environment).finally(() => mark('topology-received'));
    },
    [api, environment, refresh],
    { keepValueOnError: true },
  );
  const waiting = topology.value ? waitingCells(topology.value, fixedCell) : undefined;
  const waitingForCells = waiting !== undefined && (waiting.shown === 0 || waiting.pending > 0);
  const visible = useDocumentVisible();
  const answered = topology.value !== undefined || topology.error !== undefined;
  useEffect(() => {
    if (!answered || topology.loading || !visible) return undefined;
    return schedule(() => setRefresh(n => n + 1), waitingForCells ? pollIntervalMs : livePollIntervalMs);
  }, [answered, waitingForCells, topology.loading, visible, pollIntervalMs, livePollIntervalMs, schedule]);
  return { ...topology, waiting };
}
