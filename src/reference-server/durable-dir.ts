import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from './wal.js';

/**
 * mkdir -p that survives a power cut: a new directory's entry lives in its parent, so every parent
 * that gained an entry is fsync'd, from the deepest up. (A SIGKILL never needs this; lossfs does.)
 */
export async function ensureDurableDir(path: string): Promise<void> {
  const created: string[] = [];
  for (let dir = path; !existsSync(dir); dir = dirname(dir)) created.push(dir);
  if (created.length === 0) return;
  await mkdir(path, { recursive: true });
  for (const dir of created) await syncDirectory(dirname(dir));
}
