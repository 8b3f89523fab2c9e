export { parseCellEntity, isCellSystem, isCellComponent, entityRefOf } from './entity';
export type { ParsedCellEntity } from './entity';
export {
  buildCellModel,
  checkDeclarations,
  checkMembersAndOwner,
  modelOptions,
  validateCellEntity,
  validateConnectionTargets,
  formatProblem,
  cellOfComponent,
  callerKey,
  visibilityAdmits,
} from './catalog';
export type { EntityLookup, Declaration, BuildModelOptions, EntityCheckOptions } from './catalog';
export { membershipOf, systemRefOf, ownerRefOf } from './membership';
export type { Membership } from './membership';
export { ownerSubjectOf, rbacSubjectName } from './owner';
export { pathPatternError, isPortName, MESH_RESERVED_PORTS } from './fields';
export { checkReason, MAX_REASON_LENGTH } from './reason';
export type { DeclarationRules } from './reason';
export {
  BACKSTAGE_SPEC_KEYS,
  CELL_OBJECT_KEYS,
  CELLPLANE_SPEC_KEYS,
  MAX_TYPO_DISTANCE,
  closestKey,
  editDistance,
  hasMisspelledSpecKey,
  misspelledSpecKeys,
  unknownKeys,
} from './keys';
export type { CellObject, UnknownKey } from './keys';
export { frontDoorRules } from './frontDoor';
export type { FrontDoorRules } from './frontDoor';
export { API_ENDPOINT_ANNOTATION, servedApis, servedWithin, providersIndex, providersFromRelations } from './apis';
export type { ServedApi, ApiProviders } from './apis';
export { parseOpenApi, istioPathFor } from './openapi';
export type { OpenApiProblem } from './openapi';
