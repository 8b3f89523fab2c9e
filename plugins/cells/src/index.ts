/**
 * Cellplane's cells frontend plugin: cells and their allowed calls as a live
 * graph, with status, blast radius and an attack simulator. This entry is for
 * the legacy frontend system; the new one imports the default export of
 * `@cellplane/plugin-cells/alpha`.
 *
 * @packageDocumentation
 */
export { cellsPlugin, cellsRouteRef, cellsPortfolioRouteRef, CellsPage, CellsPortfolioPage, EntityCellContent, EntityCellCard, isCellSystem } from './plugin';
export { cellsApiRef } from './api/CellsApi';
export type { CellsApi } from './api/CellsApi';
export { CellsClient } from './api/CellsClient';
export type { CellsClientOptions } from './api/CellsClient';
/** The template fields for legacy apps' <ScaffolderFieldExtensions>. */
export {
  CellsCellPickerFieldExtension,
  CellsEndpointPickerFieldExtension,
  CellsConnectionPickerFieldExtension,
  CellsMethodsPathsFieldExtension,
  CellsAccessPreviewFieldExtension,
  CellsAuthProviderPickerFieldExtension,
} from './scaffolder/legacy';
export type { EndpointChoice, EndpointPickerUiOptions } from './scaffolder/EndpointPicker';
export type { ConnectionChoice, ConnectionPickerUiOptions } from './scaffolder/ConnectionPicker';
export type { MethodsPaths } from './scaffolder/MethodsPathsEditor';
export type { AccessPreviewUiOptions, AccessPreviewValue } from './scaffolder/AccessPreview';
