/** The policy analyzer: an independent judge of what compiled manifests really allow. */
export { loadCluster } from './load';
export type { LoadOptions } from './load';
export {
  analyzeRequest,
  AnalyzerInputError,
  assertAnalyzable,
  formatAnalyzerProblem,
  mayReach,
  requestVerdicts,
  serviceFor,
  waypointForService,
} from './request';
export type { AnalyzeRequest, RequestResult, RequestShape } from './request';
export { analyzeEgress, egressAllowed, STAND_IN_PUBLIC_ADDRESS } from './egress';
export type { EgressRequest } from './egress';
export { analyzeMatrix } from './matrix';
export type { MatrixRequest, MatrixResult, MatrixPair } from './matrix';
export { analyzeConnlist, formatGrant, portClasses } from './connlist';
export type { ConnlistEntry, ConnlistGrant, ConnlistRequest, ConnlistResult, L7Operation, PortClass } from './connlist';
export { analyzeExternalConnlist, externalDestinations, externalProtocolOf, formatExternalConnection } from './connlistExternal';
export type { ExternalConnection, ExternalConnlistResult, ExternalDestination, ExternalProtocol, ExternalSample } from './connlistExternal';
export type { HopResult } from './explain';
export type {
  AnalyzerOptions,
  ClusterModel,
  ContainerPort,
  Endpoint,
  GatewayModel,
  LayerName,
  LayerResult,
  LayerVerdict,
  NamespaceModel,
  Problem,
  Protocol,
  ServiceModel,
  WorkloadModel,
} from './model';
export { identityOf } from './model';
export { istioStringMatches, pathMatches } from './authorization';
export { containsPathTemplate, normalizeRequestPath } from '../net/httpPath';
export type { AuthorizationPolicyModel } from './authorization';
export type { NetworkPolicyModel } from './networkPolicy';
export type { CiliumPolicyModel } from './cilium';
export type { PeerAuthenticationModel, EffectiveMtls } from './mtls';
export { effectiveMtls } from './mtls';
export { parseCidr, cidrContains } from './ip';
export { decideEdgeAuth } from './edgeAuth';
export type { EdgeAuthReason, EdgeAuthResult } from './edgeAuth';
export { claimValues, parseToken, tokenFromClaims, TokenError } from './token';
export type { RequestToken } from './token';
