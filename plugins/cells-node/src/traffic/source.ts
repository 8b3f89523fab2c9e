/** A flow source: reads one window of observed traffic and hands back its edges. I/O only; the meaning is cells-common's. */
import { AttributionIndex, TrafficWindow } from '@cellplane/cells-common';
import { TrafficSourceConfig } from './config';
import { readHubbleFile } from './hubbleFile';
import { readHubbleRelay } from './hubbleRelay';
import { readPrometheus } from './prometheus';
import { ReadOptions, TrafficRead } from './read';

export function describeSource(config: TrafficSourceConfig): string {
  if (config.type === 'prometheus') return `prometheus ${config.url}`;
  return 'file' in config ? `hubble file ${config.file}` : `hubble relay ${config.relay}`;
}

/** Reads one window from a configured source, attributing with `index` (built from the catalog and settings). */
export function readTraffic(config: TrafficSourceConfig, index: AttributionIndex, window: TrafficWindow, options: ReadOptions = {}): Promise<TrafficRead> {
  if (config.type === 'prometheus') return readPrometheus(config, index, window, options);
  if ('file' in config) return readHubbleFile(config.file, index, window, options);
  return readHubbleRelay(config.relay, index, window, options);
}
