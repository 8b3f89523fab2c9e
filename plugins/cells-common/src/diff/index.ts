export { diffAccess } from './diffAccess';
export type { AccessInput, AccessDiffOptions, AccessChange, AccessDiffView } from './diffAccess';
export { accessDiffMarkdown } from './markdown';
