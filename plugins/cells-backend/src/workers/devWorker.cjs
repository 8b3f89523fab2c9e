/*
 * The worker entry when the backend runs from its TypeScript sources
 * (backstage-cli package start, jest, the bench scripts): a worker thread
 * starts without the main thread's module hooks, so it registers
 * backstage-cli's transform before it loads worker.ts. The built package
 * (dist/) starts dist/workers/worker.cjs.js directly.
 */
// Only ever loaded from the sources, where the devDependencies are installed.
// eslint-disable-next-line @backstage/no-undeclared-imports
require('@backstage/cli/config/nodeTransform.cjs');
module.exports = require('./worker.ts');
