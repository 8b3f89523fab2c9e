/** The evidence pack: what an auditor of a cell's segmentation receives (docs/evidence.md). */
export * from './types';
export { buildRegister, requestText } from './register';
export { checkRegister } from './check';
export type { RegisterCheck } from './check';
export { platformFlows, evidenceLimits } from './limits';
export {
  buildEvidencePack,
  buildEvidenceBundle,
  environmentEvidence,
  verificationRecordOf,
  manifestsDigest,
  withApprovals,
  findCell,
  EvidenceInputError,
} from './pack';
export type { EvidenceOptions, EvidenceHistory } from './pack';
export { dataFlowDiagram } from './diagram';
export type { DiagramInput } from './diagram';
export { evidenceMarkdown, bundleMarkdown, mdText } from './markdown';
export type { MarkdownOptions } from './markdown';
export { EVIDENCE_SCHEMA, evidenceJson } from './schema';
export * from './text';
export { cellDeclarationCounts } from './portfolio';
export type { CellDeclarationCounts } from './portfolio';
