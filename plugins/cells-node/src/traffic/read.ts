/** What every flow source hands back, shared by the readers and the dispatch in ./source (kept apart so neither imports the other). */
import { SkipCounts, TrafficEdge, TrafficWindow, WindowedAggregator } from '@cellplane/cells-common';

/** What a source saw in a window. */
export interface TrafficRead {
  /** The source, in words (its URL, file or relay). */
  source: string;
  window: TrafficWindow;
  /** The window's edges, all environments. */
  edges: TrafficEdge[];
  /** Edges that ended before the window (Hubble files only: for when an unused grant was last seen). */
  before: TrafficEdge[];
  /** Observations read (before merging into edges). */
  observations: number;
  /** Records that became no observation, counted per reason. */
  skipped: SkipCounts;
}

/** The source could not be read (unreachable, refused, malformed); the message names it. */
export class TrafficSourceError extends Error {
  constructor(readonly source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'TrafficSourceError';
  }
}

export interface ReadOptions {
  /** Abort the read (e.g. the request that asked for it went away). */
  signal?: AbortSignal;
}

/** Finishes a windowed aggregation into a read. */
export function toRead(source: string, agg: WindowedAggregator, skipped: SkipCounts): TrafficRead {
  return {
    source,
    window: agg.window,
    edges: agg.inWindow.edges(),
    before: agg.before.edges(),
    observations: agg.inWindow.observations + agg.before.observations,
    skipped,
  };
}
