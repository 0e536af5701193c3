import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../util/package-root.js';

export const MANIFEST_CACHE_SCRIPT = join(packageRoot(), 'src', 'nemesis', 'manifest-cache.py');

/** What taking a scope's manifest cache entry out of the stopped server's RocksDB did. */
export type CacheEviction =
  | { readonly done: true; readonly key: string; readonly entryExisted: boolean; readonly pendingIndex: boolean }
  | { readonly done: false; readonly key: string; readonly reason: string };

/** The cache key (ns:table:scope) of a cold-tier manifest path storage/<ns>/<table>[/<user>]/manifest.json. */
export function manifestCacheKey(storagePath: string): { namespace: string; table: string; scope: string } | undefined {
  const parts = storagePath.split('/');
  if (parts[0] !== 'storage' || parts.at(-1) !== 'manifest.json') return undefined;
  if (parts.length === 4) return { namespace: parts[1]!, table: parts[2]!, scope: 'shared' };
  if (parts.length === 5) return { namespace: parts[1]!, table: parts[2]!, scope: parts[3]! };
  return undefined;
}

let pythonFound: { python: string } | { reason: string } | undefined;

/** The first Python that has rocksdict: $PYTHON, the venv .ci/run makes, python3. */
export function rocksdictPython(): { python: string } | { reason: string } {
  if (pythonFound) return pythonFound;
  const venv = join(packageRoot(), '.tmp', 'pyarrow-venv', 'bin', 'python');
  for (const python of [process.env.PYTHON, existsSync(venv) ? venv : undefined, 'python3']) {
    if (!python) continue;
    const probe = spawnSync(python, ['-c', 'import rocksdict'], { stdio: 'ignore', timeout: 20_000 });
    if (probe.status === 0) return (pythonFound = { python });
  }
  return (pythonFound = { reason: 'no Python with the rocksdict package (pip install rocksdict)' });
}

/**
 * Deletes the manifest cache entry of the scope whose manifest.json is `storagePath`, so the next
 * incarnation must read that file (kalamdb-server reads manifest.json only on a cache miss).
 * The server must be stopped: RocksDB holds a lock on its directory.
 */
export async function evictManifestCacheEntry(dataDir: string, storagePath: string, timeoutMs = 30_000): Promise<CacheEviction> {
  const scope = manifestCacheKey(storagePath);
  if (!scope) return { done: false, key: storagePath, reason: `${storagePath} is not a manifest.json of a table scope` };
  const key = `${scope.namespace}:${scope.table}:${scope.scope}`;
  const found = rocksdictPython();
  if ('reason' in found) return { done: false, key, reason: found.reason };
  const rocksdb = join(dataDir, 'rocksdb');
  const run = await execa(found.python, [MANIFEST_CACHE_SCRIPT, 'evict', rocksdb, scope.namespace, scope.table, scope.scope], { reject: false, timeout: timeoutMs });
  if (run.exitCode !== 0) return { done: false, key, reason: `manifest-cache.py on ${rocksdb} failed (exit ${run.exitCode}): ${String(run.stderr).trim().split('\n').slice(-3).join(' | ')}` };
  const answer = JSON.parse(String(run.stdout).trim().split('\n').at(-1) ?? '{}') as { evicted?: boolean; pendingIndex?: boolean };
  return { done: true, key, entryExisted: answer.evicted === true, pendingIndex: answer.pendingIndex === true };
}
