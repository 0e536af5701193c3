import { mkdir, readdir, lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export type SnapshotOutcome =
  | { readonly taken: true; readonly path: string; readonly dataBytes: number }
  | { readonly taken: false; readonly reason: string };

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
 * folder, unless the directory is larger than `capBytes`.
 */
export async function snapshotDataDir(dataDir: string, dest: string, capBytes: number): Promise<SnapshotOutcome> {
  const dataBytes = await treeSize(dataDir);
  if (dataBytes > capBytes) return { taken: false, reason: `data directory holds ${dataBytes} bytes, over the ${capBytes}-byte cap` };
  await mkdir(dirname(dest), { recursive: true });
  const tar = await execa('tar', ['-czf', dest, '-C', dataDir, '.'], { reject: false, timeout: 120_000 });
  if (tar.exitCode !== 0) return { taken: false, reason: `tar failed: ${String(tar.stderr).trim().split('\n')[0] ?? tar.exitCode}` };
  return { taken: true, path: dest, dataBytes };
}
