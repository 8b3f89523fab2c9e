/** jest stand-in for createLayoutWorker.ts (jsdom has no Worker): layout runs on the main thread. */
export function createLayoutWorker(): Worker {
  throw new Error('no Web Worker under jest');
}
