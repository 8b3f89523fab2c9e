export { applyChange, changedCells, changeProblems, compileChange } from './change';
export type { CompiledChange } from './change';
export { newCellEntity, newComponentEntity, connectionSpec, withConnection } from './entities';
export type { NewCellInput, NewComponentInput } from './entities';
