/**
 * Node.js library of the Cellplane cells backend: the `CellTarget` interface a
 * target implements, the extension point through which a backend module adds
 * one (`cellsTargetsExtensionPoint`), and the object helpers both built-in
 * targets share (identity, desired-vs-held comparison, field diffs), and the
 * flow sources of observed traffic (Prometheus, Hubble exports, Hubble Relay)
 * that the backend and the `cellplane` CLI both read.
 *
 * @packageDocumentation
 */
export { cellsTargetsExtensionPoint } from './extensions';
export type { CellsTargetsExtensionPoint } from './extensions';
export type {
  ApplyContext,
  ApplyResult,
  CellOutcome,
  CellState,
  CellTarget,
  CellTargetFactory,
  CellTargetFactoryOptions,
  DesiredCell,
  HeldCell,
  ObjectChangeSet,
  ObjectRef,
  ObjectState,
  ObjectStatus,
  RemovalOutcome,
  RemovedCell,
  TargetDescription,
} from './target';
export { changeCount, compareObjects, fieldDiff, managedDiff, managedPart, noChanges, objectId, objectName, objectRef, unwantedObjects } from './objects';
export type { DiffMode, ObjectIdentity } from './objects';
export { EGRESS_UNIT_NAME, egressUnitRef, isEgressUnit } from './egress';
export { SerialQueue } from './SerialQueue';
export {
  describeSource,
  istioQueries,
  readHubbleFile,
  readHubbleRelay,
  readPrometheus,
  readTraffic,
  readTrafficConfig,
  readTrafficSource,
  RELAY_DEADLINE_MS,
  stepFor,
  TrafficConfigError,
  TrafficSourceError,
} from './traffic';
export type { ReadOptions, TrafficRead, TrafficSourceConfig } from './traffic';
