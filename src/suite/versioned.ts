/**
 * Values that depend on the server version: where the Nov 2025 production-readiness plan (the
 * seed) and a later KalamDB differ, a check's statement or expectation is data keyed by version,
 * not code. The binary at a version is the truth for that version; the seed's value applies to a
 * server whose version no key names (an older build, or one that reports none).
 */
export interface Versioned<T> {
  readonly kind: 'versioned';
  /** What the Nov 2025 plan says. */
  readonly seed: T;
  /** Version prefix (`0.4.3` matches `0.4.3`, `0.4.3-rc.4`, `0.4.3.1`) → value. */
  readonly byVersion: Readonly<Record<string, T>>;
  /** The difference, in one line (README "Differences from the seed plan" lists each). */
  readonly why: string;
}

export function versioned<T>(seed: T, byVersion: Readonly<Record<string, T>>, why: string): Versioned<T> {
  return { kind: 'versioned', seed, byVersion, why };
}

export function isVersioned<T>(value: T | Versioned<T>): value is Versioned<T> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'versioned';
}

function matchesVersion(version: string, prefix: string): boolean {
  return version === prefix || version.startsWith(`${prefix}.`) || version.startsWith(`${prefix}-`);
}

/** The value for `version` and the key it came from (`seed` when no version key matches). */
export function resolveVersioned<T>(value: T | Versioned<T>, version: string | undefined): { value: T; key?: string; why?: string } {
  if (!isVersioned(value)) return { value };
  const keys = Object.keys(value.byVersion).filter((prefix) => version !== undefined && matchesVersion(version, prefix));
  const best = keys.sort((a, b) => b.length - a.length)[0];
  return best === undefined ? { value: value.seed, key: 'seed', why: value.why } : { value: value.byVersion[best]!, key: best, why: value.why };
}
