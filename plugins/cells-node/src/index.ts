/**
 * Node.js library of the Cellplane cells backend: the `CellTarget` interface a
 * target implements, the extension point through which a backend module adds
 * one (`cellsTargetsExtensionPoint`), and the object helpers both built-in
 * targets share (identity, desired-vs-held comparison, field diffs).
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
export {
  changeCount,
  compareObjects,
  fieldDiff,
  managedDiff,
  managedPart,
  noChanges,
  objectId,
  objectName,
  objectRef,
  unwantedObjects,
} from './objects';
export type { DiffMode, ObjectIdentity } from './objects';
export { SerialQueue } from './SerialQueue';
