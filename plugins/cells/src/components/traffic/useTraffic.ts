import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { CellsApi } from '../../api/CellsApi';
import type { RolloutResponse, TrafficResponse, WouldBreakCall } from '../../api/types';
import { OverlayMode, parseOverlay, parseWindow, TrafficWindow, windowQuery, wouldBreakByCell } from '../../lib/traffic';
import { AsyncState, useAsync } from '../useAsync';
import type { UrlChanges } from '../graph/useGraphUrlState';

export interface TrafficState {
  mode: OverlayMode;
  window: TrafficWindow;
  setMode(mode: OverlayMode): void;
  setWindow(window: TrafficWindow): void;
  /** GET /traffic over the window; undefined while only the declared grants are drawn. */
  traffic?: AsyncState<TrafficResponse>;
  /** GET /rollout over the same window. */
  rollout?: AsyncState<RolloutResponse>;
  /** Would-break calls per cell ref (empty until the rollout is read). */
  wouldBreak: Map<string, WouldBreakCall[]>;
  /** Asks both again, for a window ending now. */
  refresh(): void;
}

const idle = async () => undefined;

/**
 * The observed-traffic overlay: its mode and window live in the URL
 * (`traffic=observed|both`, `window=1h|24h|7d`), so a link opens the same
 * view. While an overlay is on, the backend is asked for the window's
 * classified calls and for what enforcing each cell would break; the page
 * classifies nothing itself.
 */
export function useTraffic(
  api: Pick<CellsApi, 'getTraffic' | 'getRollout'>,
  environment: string,
  update: (changes: UrlChanges) => void,
  now = Date.now,
): TrafficState {
  const [params] = useSearchParams();
  const mode = parseOverlay(params.get('traffic'));
  const window = parseWindow(params.get('window'));
  const [asked, setAsked] = useState(0);
  const on = mode !== 'declared';
  // The window ends when it is chosen (or refreshed), not at every render.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const query = useMemo(() => (on ? { environment, ...windowQuery(window, now()) } : undefined), [on, environment, window, asked]);
  const traffic = useAsync<TrafficResponse | undefined>(() => (query ? api.getTraffic(query) : idle()), [api, query]);
  const rollout = useAsync<RolloutResponse | undefined>(() => (query ? api.getRollout(query) : idle()), [api, query]);
  const wouldBreak = useMemo(() => wouldBreakByCell(on ? rollout.value : undefined), [on, rollout.value]);
  const setMode = useCallback((next: OverlayMode) => update({ traffic: next === 'declared' ? undefined : next }), [update]);
  const setWindow = useCallback((next: TrafficWindow) => update({ window: next === '24h' ? undefined : next }), [update]);
  const refresh = useCallback(() => setAsked(n => n + 1), []);
  return {
    mode,
    window,
    setMode,
    setWindow,
    traffic: on ? (traffic as AsyncState<TrafficResponse>) : undefined,
    rollout: on ? (rollout as AsyncState<RolloutResponse>) : undefined,
    wouldBreak,
    refresh,
  };
}
