export {
  DatabaseCellsStore,
  cellsMigrationsDir,
  MAX_HISTORY_PAGE,
} from './DatabaseCellsStore';
export type {
  CellsStore,
  GoodCompilation,
  NewHistoryEntry,
  StoredCellStatus,
} from './types';
