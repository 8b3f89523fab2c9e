export { DatabaseCellsStore, cellsMigrationsDir, MAX_HISTORY_PAGE } from './DatabaseCellsStore';
export { DatabaseEvidenceStore, MAX_EVIDENCE_PAGE } from './DatabaseEvidenceStore';
export type { AuditEvent, EvidenceStore, NewAuditEvent, StoredVerification } from './DatabaseEvidenceStore';
export type { AppliedCellRecord, CellsStore, GoodCompilation, NewHistoryEntry, StoredCellStatus } from './types';
