/**
 * Starts the layout worker. Its own module because `import.meta.url` is what
 * the app bundler (rspack) needs to emit the worker chunk, and jest's CJS
 * transform cannot parse it: jest maps this module to createLayoutWorker.jest.ts.
 */
export function createLayoutWorker(): Worker {
  return new Worker(new URL('./elk.worker.ts', import.meta.url));
}
