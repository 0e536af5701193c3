import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

/** Where the real KalamDB binaries are: $KALAMDB_BIN_DIR, else .tmp/kalamdb (scripts/unpack-kalamdb). */
export function kalamdbBinDir(): string {
  return resolve(process.env.KALAMDB_BIN_DIR ?? join(packageRoot(), '.tmp', 'kalamdb'));
}

export type KalamdbBinary = 'kalamdb-server' | 'kalam' | 'kalamdb-server-0.4.2-rc.3';

/** The path of a real KalamDB binary, or undefined when it is not unpacked here. */
export function findKalamdbBinary(name: KalamdbBinary = 'kalamdb-server'): string | undefined {
  const path = join(kalamdbBinDir(), name);
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

/**
 * For a suite that needs a real KalamDB binary: its path. Missing, the suite fails in CI (CI=true)
 * and skips elsewhere, saying why. Call it from a `before` hook with that hook's `this`.
 */
export function requireKalamdbBinary(context: Mocha.Context, name: KalamdbBinary = 'kalamdb-server'): string {
  const path = findKalamdbBinary(name);
  if (path) return path;
  const reason = `${name} not found in ${kalamdbBinDir()}: run scripts/unpack-kalamdb (needs ../shared/kalamdb/bin and zstd) or set KALAMDB_BIN_DIR`;
  if (process.env.CI === 'true') throw new Error(`CI needs the real KalamDB: ${reason}`);
  console.log(`      skipped: ${reason}`);
  context.skip();
  throw new Error('unreachable');
}
