/**
 * Catalog backend module that validates Cellplane cells.
 *
 * @packageDocumentation
 */
export { catalogModuleCells as default } from './module';
export { CellValidationProcessor } from './CellValidationProcessor';
export type { EntityFetcher } from './CellValidationProcessor';
export {
  catalogServiceFetcher,
  registeredEntityFetcher,
  firstFound,
} from './entityFetcher';
