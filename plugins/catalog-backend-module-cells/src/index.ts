/**
 * Catalog backend module that validates Cellplane cells.
 *
 * @packageDocumentation
 */
export { catalogModuleCells as default } from './module';
export { CellValidationProcessor, dependencyEdges } from './CellValidationProcessor';
export type { CellEntityCheck, EntityFetcher } from './CellValidationProcessor';
export { catalogServiceFetcher, registeredEntityFetcher, firstFound } from './entityFetcher';
