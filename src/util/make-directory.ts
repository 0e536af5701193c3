import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { withDeadline } from './wait.js';

/**
 * Creates a directory and its missing parents, one level at a time, within a deadline. Not
 * `mkdir -p` (fs.mkdir recursive): on Node 20 that never returns for a path under /proc, and a
 * user's path argument must fail with one line, not hang.
 */
export async function makeDirectory(path: string, deadlineMs = 10_000): Promise<void> {
  const target = resolve(path);
  await withDeadline(makeEachLevel(target), `creating ${target}`, deadlineMs);
}

async function makeEachLevel(target: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = target; ; dir = dirname(dir)) {
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
