export { DatabaseCellsStore, cellsMigrationsDir, MAX_HISTORY_PAGE } from './DatabaseCellsStore';
export type { AppliedCellRecord, CellsStore, GoodCompilation, NewHistoryEntry, StoredCellStatus } from './types';
