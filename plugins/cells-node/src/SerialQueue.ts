/**
 * Runs tasks one at a time, in the order they were given: a target's applies
 * never interleave their writes, a reconciler's passes never overlap. A task
 * that fails fails only its own caller; the next one still runs.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private active = false;

  /** True while a task runs. */
  get running(): boolean {
    return this.active;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(async () => {
      this.active = true;
      try {
        return await task();
      } finally {
        this.active = false;
      }
    });
    this.tail = next.catch(() => undefined);
    return next;
  }
}
