export { DirectoryTarget, HEADER_PREFIX } from './DirectoryTarget';
export type { DirectoryTargetOptions } from './DirectoryTarget';
export { fieldDiff } from './fieldDiff';
