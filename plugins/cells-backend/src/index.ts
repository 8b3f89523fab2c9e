/**
 * The Cellplane cells backend plugin: the catalog reconciled into cells, a
 * GitOps folder or clusters, history and status, and the REST API under
 * /api/cells.
 *
 * @packageDocumentation
 */
export { cellsPlugin as default, RECONCILE_TASK_ID } from './plugin';
export { cellsPermissions, cellsManifestReadPermission, cellsReconcilePermission } from './permissions';
export { readCellsBackendConfig, CellsConfigError } from './config';
export type { CellsBackendConfig, TargetConfig, EnvironmentTargetConfig } from './config';
export type { CellTarget } from './targets/types';
