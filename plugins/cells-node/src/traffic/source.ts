/** A flow source: reads one window of observed traffic and hands back its edges. I/O only; the meaning is cells-common's. */
import { AttributionIndex, SkipCounts, TrafficEdge, TrafficWindow, WindowedAggregator } from '@cellplane/cells-common';
import { TrafficSourceConfig } from './config';
import { readHubbleFile } from './hubbleFile';
import { readHubbleRelay } from './hubbleRelay';
import { readPrometheus } from './prometheus';

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

export function describeSource(config: TrafficSourceConfig): string {
  if (config.type === 'prometheus') return `prometheus ${config.url}`;
  return 'file' in config ? `hubble file ${config.file}` : `hubble relay ${config.relay}`;
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

/** Reads one window from a configured source, attributing with `index` (built from the catalog and settings). */
export function readTraffic(config: TrafficSourceConfig, index: AttributionIndex, window: TrafficWindow, options: ReadOptions = {}): Promise<TrafficRead> {
  if (config.type === 'prometheus') return readPrometheus(config, index, window, options);
  if ('file' in config) return readHubbleFile(config.file, index, window, options);
  return readHubbleRelay(config.relay, index, window, options);
}
