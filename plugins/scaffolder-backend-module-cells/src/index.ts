/**
 * Cellplane's scaffolder actions: create a cell, a service in a cell, add or
 * remove a connection, add an egress entry, preview the access a change opens
 * or closes, and publish to a local catalog folder.
 *
 * @packageDocumentation
 */
export { scaffolderModuleCells as default, cellsActions } from './module';
export { createCellAction } from './actions/createCell';
export { createComponentAction } from './actions/createComponent';
export { addConnectionAction } from './actions/addConnection';
export { removeConnectionAction } from './actions/removeConnection';
export { addEgressAction } from './actions/addEgress';
export { previewAction } from './actions/preview';
export { publishLocalAction } from './actions/publishLocal';
export { previewChange, changeProblems } from './change';
export type { ChangePreview } from './change';
export type { CellsActionDeps } from './context';
