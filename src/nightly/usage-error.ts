/** A bad `scripts/nightly` argument: one line on stderr, exit 2. */
export class NightlyUsageError extends Error {
  override name = 'NightlyUsageError';
}
