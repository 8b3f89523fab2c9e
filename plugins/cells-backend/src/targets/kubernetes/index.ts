export { KubernetesTarget, FIELD_MANAGER, describeFailure } from './KubernetesTarget';
export type { KubernetesTargetOptions } from './KubernetesTarget';
export { readClusters } from './clusters';
export { managedDiff, managedPart } from '@cellplane/plugin-cells-node';
export { MANAGED_KINDS } from './kinds';
export type { ManagedKind } from './kinds';
export { phaseIndex } from './Applier';
export { KubeHttp } from './http';
export type { RequestCounts, RetryOptions } from './http';
