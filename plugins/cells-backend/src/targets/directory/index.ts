export { DirectoryTarget, KUSTOMIZATION_FILE } from './DirectoryTarget';
export type { DirectoryTargetOptions } from './DirectoryTarget';
export { HEADER_PREFIX, cellHeader } from './files';
export { DEFAULT_AUTHOR } from './git';
export type { GitAuthor } from './git';
