import { readFileSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';

/**
 * `data/rocksdb/LOCK`, like RocksDB's: one server per data directory. The file names the owner's
 * pid and its start time (from /proc), so a lock left by a SIGKILLed server is recognised as stale
 * even if the pid has since been reused.
 */
export interface DataDirLock {
  readonly path: string;
  /** Set when the lock was left behind by a process that is gone. */
  readonly tookOverFrom?: number;
  release(): Promise<void>;
}

export class LockHeldError extends Error {
  override name = 'LockHeldError';
}

export async function acquireLock(path: string): Promise<DataDirLock> {
  const mine = { pid: process.pid, startTicks: procStat(process.pid)?.startTicks };
  let tookOverFrom: number | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify(mine));
      await handle.sync();
      await handle.close();
      return { path, ...(tookOverFrom !== undefined ? { tookOverFrom } : {}), release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(path);
    if (owner && isAlive(owner)) throw new LockHeldError(`data directory is in use by pid ${owner.pid} (lock file ${path})`);
    tookOverFrom = owner?.pid ?? -1;
    await rm(path, { force: true });
  }
  throw new LockHeldError(`could not take the lock file ${path}: another server is starting on the same data directory`);
}

async function readOwner(path: string): Promise<{ pid: number; startTicks: string | undefined } | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; startTicks?: unknown };
    if (typeof parsed.pid !== 'number') return undefined;
    return { pid: parsed.pid, startTicks: typeof parsed.startTicks === 'string' ? parsed.startTicks : undefined };
  } catch {
    return undefined;
  }
}

function isAlive(owner: { pid: number; startTicks: string | undefined }): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = procStat(owner.pid);
  // A SIGKILLed owner stays a zombie until its parent reaps it: it holds nothing any more.
  if (stat && (stat.state === 'Z' || stat.state === 'X')) return false;
  return owner.startTicks === undefined || stat === undefined || stat.startTicks === owner.startTicks;
}

/** Fields 3 (state) and 22 (start time in clock ticks since boot) of /proc/PID/stat. */
function procStat(pid: number): { state: string | undefined; startTicks: string | undefined } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], startTicks: fields[19] };
  } catch {
    return undefined;
  }
}
