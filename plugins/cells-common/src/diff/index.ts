export { diffAccess } from './diffAccess';
export type { AccessInput, AccessDiffOptions } from './diffAccess';
export { accessDiffMarkdown } from './markdown';
