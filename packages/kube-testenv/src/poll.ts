/**
 * Calls check every intervalMs until it resolves true; rejects with
 * describeTimeout() once timeoutMs has passed, or with check's own error.
 */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, describeTimeout: () => string, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(describeTimeout());
    await new Promise(resolve => setTimeout(resolve, intervalMs));
  }
}
