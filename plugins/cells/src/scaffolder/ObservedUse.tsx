import { useEffect } from 'react';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import type { CellsApi } from '../api/CellsApi';
import type { TrafficResponse } from '../api/types';
import { useAsync } from '../components/useAsync';
import { messageOf } from './common';

/** How much of a call the flow sources saw in a window. */
export interface ObservedCalls {
  count: number;
  lastSeen?: string;
  window: TrafficResponse['window'];
}

/**
 * The calls from `from` to `to` the backend observed and found allowed (its
 * classes declared-seen and undeclared-allowed), summed. The classification is
 * the backend's (the core's); this only picks the caller and target. A source
 * without ports or paths cannot tell which of several connections between the
 * two a call used, so the count is the pair's.
 */
export function observedCalls(traffic: TrafficResponse, from: string, to: string): ObservedCalls {
  let count = 0;
  let lastSeen: string | undefined;
  for (const edge of traffic.edges) {
    if (edge.from !== from || edge.to !== to || edge.count === 0) continue;
    if (edge.class !== 'declared-seen' && edge.class !== 'undeclared-allowed') continue;
    count += edge.count;
    // ISO times of one format order as text.
    if (edge.lastSeen && (!lastSeen || edge.lastSeen > lastSeen)) lastSeen = edge.lastSeen;
  }
  return { count, ...(lastSeen ? { lastSeen } : {}), window: traffic.window };
}

/** The warning in words (also the field's value, so the review before Create lists it). */
export function inUseText(observed: ObservedCalls, from: string, to: string): string | undefined {
  if (observed.count === 0) return undefined;
  const short = (ref: string) => ref.replace(/^component:(default\/)?/, '');
  return `${short(from)} called ${short(to)} ${observed.count} time${observed.count === 1 ? '' : 's'} between ${observed.window.from} and ${
    observed.window.to
  }${observed.lastSeen ? ` (last ${observed.lastSeen})` : ''}: the call is in use, and removing it denies these calls once the cell is enforced.`;
}

/**
 * What the flow sources say of the call a removal closes: a warning with the
 * observed count when it is in use. No flow source (404) shows nothing; a
 * source that cannot be read says so, and neither holds the form back.
 */
export function ObservedUse(props: { api: CellsApi; environment: string; from: string; to: string; onInUse(text: string | undefined): void }) {
  const { api, environment, from, to, onInUse } = props;
  const traffic = useAsync(() => api.getTraffic({ environment }), [api, environment]);
  const observed = traffic.value ? observedCalls(traffic.value, from, to) : undefined;
  const text = observed ? inUseText(observed, from, to) : undefined;
  useEffect(() => onInUse(text), [text, onInUse]);
  if (traffic.loading) return null;
  if (traffic.error) {
    if ((traffic.error as { statusCode?: number }).statusCode === 404) return null;
    return (
      <Alert severity="info" aria-label="observed traffic">
        Could not read the observed traffic: {messageOf(traffic.error)}
      </Alert>
    );
  }
  return (
    <div aria-label="observed traffic">
      {text ? (
        <Alert severity="warning">{text}</Alert>
      ) : (
        <Typography variant="body2" color="textSecondary">
          No call from {from} to {to} was observed between {observed!.window.from} and {observed!.window.to}.
        </Typography>
      )}
    </div>
  );
}
