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
export { ownerSubjectOf } from './owner';
export { pathPatternError, isPortName, MESH_RESERVED_PORTS } from './fields';
export { checkReason, MAX_REASON_LENGTH } from './reason';
export type { DeclarationRules } from './reason';
