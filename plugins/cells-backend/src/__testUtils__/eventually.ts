/**
 * Waits for a state the code reaches on its own schedule (the scheduler's
 * first pass, a requested run, a watch event): asks again until `ok` holds,
 * and throws naming what it waited for and the last answer once `timeoutMs`
 * has passed. The bound is generous on purpose: it only decides when to give
 * up on a broken build, and no assertion depends on how long the wait took.
 */
export async function eventually<T>(what: string, get: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 90_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await get();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${describe(last)}`);
    await new Promise(r => setTimeout(r, intervalMs));
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value).slice(0, 2000);
  } catch {
    return String(value);
  }
}
