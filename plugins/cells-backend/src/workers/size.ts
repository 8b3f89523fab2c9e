import os from 'node:os';

/** The pool size when `cells.workers.size` is not set: one core stays for the event loop, at most two workers. */
export function defaultWorkerCount(cores = os.availableParallelism()): number {
  return Math.max(0, Math.min(2, cores - 1));
}
