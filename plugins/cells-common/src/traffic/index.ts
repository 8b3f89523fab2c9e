/** Observed traffic: normalisation, attribution, classification and what enforcement would break. */
export * from './types';
export { attributeWorkload, buildAttributionIndex, nodeId, parsePrincipal, platformPeers } from './attribution';
export type { Attribution, AttributionIndex, ObservedWorkload, PlatformPeer } from './attribution';
export { CONNECTION_WINDOW_MS, HubbleNormalizer, readHubbleEndpoint } from './hubble';
export type { HubbleEndpoint, HubbleFlow, HubblePolicy, HubbleRecord } from './hubble';
export { callKey, ISTIO_CALL_LABELS, IstioNormalizer, ZTUNNEL_DENY_FLAGS } from './istio';
export type { MetricSeries } from './istio';
export { aggregateObservations, compareEdges, EdgeAggregator, WindowedAggregator } from './aggregate';
export { classifyTraffic, endpointCandidates, GrantIndex } from './classify';
export type { ClassifyInput, GrantMatch } from './classify';
export { brokenByChange, wouldBreak } from './wouldBreak';
export type { ChangeBreakReport } from './wouldBreak';
