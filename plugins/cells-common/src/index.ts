/**
 * Cellplane's pure core: the cell entity model, its validation, the cell
 * compiler and the policy analyzer. No I/O: runs in the backend, the CLI and
 * the browser alike.
 *
 * @packageDocumentation
 */
export * from './model/types';
export * from './validation';
export * from './settings/settings';
export { readCellsSettings, SettingsError } from './settings/read';
export * from './settings/platform';
export { cellNamespace, openChoreoNamespace } from './settings/naming';
export * from './compiler';
export { toYaml } from './compiler/yaml';
export * from './labels';
export * from './analyzer';
export * from './verify';
export * from './diff';
export * from './change';
export { compareText } from './order';
export * from './traffic';
export * from './report';
