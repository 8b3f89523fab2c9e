/** The target interface lives in @cellplane/plugin-cells-node, where backend modules that add targets find it. */
export type {
  ApplyContext,
  ApplyResult,
  CellOutcome,
  CellTarget,
  CellTargetFactory,
  CellTargetFactoryOptions,
  DesiredCell,
  HeldCell,
  ObjectChangeSet,
  RemovalOutcome,
  RemovedCell,
} from '@cellplane/plugin-cells-node';
