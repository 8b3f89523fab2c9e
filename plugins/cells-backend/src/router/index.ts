export { createRouter, cellsAuthPolicies } from './createRouter';
export type { RouterOptions } from './createRouter';
