export { applyChange, changedCells, changeProblems, compileChange } from './change';
export type { CompiledChange } from './change';
export { newCellEntity, newComponentEntity, connectionSpec, withConnection, egressEntry, withEgress, withoutConnection } from './entities';
export type { NewCellInput, NewComponentInput, EgressEntryInput } from './entities';
