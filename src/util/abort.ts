const promises = new WeakMap<AbortSignal, Promise<never>>();

/**
 * Rejects when the signal aborts; one promise (and one listener) per signal however often it is
 * raced. Marked handled up front: it usually outlives the race it was made for, and a late
 * rejection must not become an unhandled one.
 */
export function abortPromise(signal: AbortSignal | undefined): Promise<never> {
  if (!signal) return new Promise<never>(() => {});
  let promise = promises.get(signal);
  if (!promise) {
    promise = new Promise<never>((_, reject) => {
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    promise.catch(() => {});
    promises.set(signal, promise);
  }
  return promise;
}
