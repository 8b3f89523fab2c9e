export {
  KubernetesTarget,
  FIELD_MANAGER,
  describeFailure,
} from './KubernetesTarget';
export type { KubernetesTargetOptions } from './KubernetesTarget';
export { readClusters } from './clusters';
export { managedDiff, managedPart } from './managedDiff';
export { MANAGED_KINDS, phaseOf } from './kinds';
export type { ManagedKind } from './kinds';
export { KubeHttp } from './http';
export type { RequestCounts, RetryOptions } from './http';
