import { mkdir, readdir, lstat, rm } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export type SnapshotOutcome =
  | { readonly taken: true; readonly path: string; readonly dataBytes: number }
  | { readonly taken: false; readonly reason: string };

/** A snapshot whose data directory has been read. `pack()` compresses it (once) and says how that ended; it never rejects. */
export interface StagedSnapshot {
  pack(): Promise<SnapshotOutcome>;
}

const STEP_TIMEOUT_MS = 120_000;

/** Bytes of regular files under `dir` (links are not followed). */
async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await treeSize(path);
    else if (entry.isFile()) total += (await lstat(path)).size;
  }
  return total;
}

/**
 * The data directory as the crash left it, before the restart changes it: a tar.gz in the run
 * folder (`dest`, ending .tar.gz), unless the directory is larger than `capBytes`. Resolves once the
 * directory has been read into an uncompressed tar beside `dest` (disk speed: 40 ms for 49 MiB,
 * where gzip takes 3.3 s); `pack()` then gzips it at the lowest CPU priority whenever the caller
 * chooses (once the restarted server is ready). Aborting `signal` stops the gzip and drops the snapshot.
 */
export async function stageSnapshot(dataDir: string, dest: string, capBytes: number, signal?: AbortSignal): Promise<StagedSnapshot> {
  if (!dest.endsWith('.tar.gz')) throw new Error(`a snapshot's path must end in .tar.gz: ${dest}`);
  const settled = (outcome: SnapshotOutcome): StagedSnapshot => ({ pack: () => Promise.resolve(outcome) });
  const dataBytes = await treeSize(dataDir);
  if (dataBytes > capBytes) return settled({ taken: false, reason: `data directory holds ${dataBytes} bytes, over the ${capBytes}-byte cap` });
  await mkdir(dirname(dest), { recursive: true });
  const staged = dest.slice(0, -'.gz'.length);
  const tar = await execa('tar', ['-cf', staged, '-C', dataDir, '.'], { reject: false, timeout: STEP_TIMEOUT_MS });
  if (tar.exitCode !== 0) {
    await rm(staged, { force: true });
    return settled({ taken: false, reason: `tar failed: ${firstLine(tar.stderr, tar.exitCode)}` });
  }
  let packed: Promise<SnapshotOutcome> | undefined;
  return {
    pack: () => (packed ??= compress(staged, dest, dataBytes, signal).catch((error: Error) => ({ taken: false, reason: `gzip failed: ${error.message}` }))),
  };
}

/** Stages and packs in one go: resolves once the tar.gz is written. */
export async function snapshotDataDir(dataDir: string, dest: string, capBytes: number): Promise<SnapshotOutcome> {
  return (await stageSnapshot(dataDir, dest, capBytes)).pack();
}

const INTERRUPTED = 'the run was interrupted before the snapshot was compressed';

async function compress(staged: string, dest: string, dataBytes: number, signal: AbortSignal | undefined): Promise<SnapshotOutcome> {
  if (signal?.aborted) {
    await rm(staged, { force: true });
    return { taken: false, reason: INTERRUPTED };
  }
  const gzip = execa('gzip', ['-f', staged], { reject: false, timeout: STEP_TIMEOUT_MS, ...(signal ? { cancelSignal: signal } : {}) });
  if (gzip.pid !== undefined) {
    try {
      setPriority(gzip.pid, 19);
    } catch {
      // Already gone, or not allowed: it merely competes with the restart at normal priority.
    }
  }
  const result = await gzip;
  if (result.exitCode === 0) return { taken: true, path: dest, dataBytes };
  await Promise.all([rm(staged, { force: true }), rm(dest, { force: true })]);
  const reason = result.isCanceled ? INTERRUPTED : `gzip failed: ${firstLine(result.stderr, result.exitCode)}`;
  return { taken: false, reason };
}

function firstLine(stderr: string, exitCode: number | undefined): string {
  return stderr.trim().split('\n')[0] || `exit code ${exitCode}`;
}
