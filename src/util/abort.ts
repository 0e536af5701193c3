/**
 * Rejects when the signal aborts. Marked handled up front: it usually outlives the race it was
 * made for, and a late rejection must not become an unhandled one.
 */
export function abortPromise(signal: AbortSignal | undefined): Promise<never> {
  const promise = new Promise<never>((_, reject) => {
    if (!signal) return;
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  promise.catch(() => {});
  return promise;
}
