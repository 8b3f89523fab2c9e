/**
 * The part of Cellplane's core that runs in a browser: the cell entity model,
 * its validation, the entity builders of the templates and the YAML writer
 * (`@cellplane/cells-common/browser`). The REST API's types are generated from
 * the cells backend's OpenAPI document into the frontend plugin. The main
 * entry also holds the compiler, whose schema validators a frontend bundle should not
 * carry; browser.test.ts checks this entry's imports stay light.
 *
 * @packageDocumentation
 */
export * from './model/types';
export {
  pathPatternError,
  isPortName,
  MESH_RESERVED_PORTS,
  parseCellEntity,
  isCellSystem,
  isCellComponent,
  entityRefOf,
  cellOfComponent,
  validateCellEntity,
  validateConnectionTargets,
  visibilityAdmits,
  formatProblem,
} from './validation';
export type { ParsedCellEntity, EntityLookup } from './validation';
export { newCellEntity, newComponentEntity, connectionSpec, withConnection, egressEntry, withEgress, withoutConnection } from './change/entities';
export type { NewCellInput, NewComponentInput, EgressEntryInput } from './change/entities';
export { toYaml } from './compiler/yaml';
export type { KubeObject } from './compiler/context';
