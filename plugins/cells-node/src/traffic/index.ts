/**
 * Flow sources for observed traffic: Prometheus (Istio's metrics), Hubble
 * exports and Hubble Relay. Plain Node (no Backstage services), so the CLI
 * (packages/cli) reads the same sources as the backend (plugins/cells-backend).
 */
export { readTrafficConfig, readTrafficSource, TrafficConfigError } from './config';
export type { TrafficSourceConfig } from './config';
export { describeSource, readTraffic } from './source';
export { TrafficSourceError } from './read';
export type { ReadOptions, TrafficRead } from './read';
export { readHubbleFile } from './hubbleFile';
export { readHubbleRelay, RELAY_DEADLINE_MS } from './hubbleRelay';
export { istioQueries, readPrometheus, stepFor } from './prometheus';
