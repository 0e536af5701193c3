import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signalGroup } from './process-registry.js';

/**
 * A record of every server group a kalam-chaos process has started, on disk, so that when a
 * harness is itself SIGKILLed (and its exit hook never runs) the next run can find and stop the
 * orphan. The kernel start time of the process guards against a reused pid.
 */
export interface ServerRecord {
  readonly pgid: number;
  readonly harnessPid: number;
  readonly startTicks: string;
  readonly command: string;
  readonly runDir: string;
  readonly startedAt: string;
}

export function registryDir(): string {
  return process.env.KALAM_CHAOS_REGISTRY_DIR ?? join(tmpdir(), `kalam-chaos-${process.getuid?.() ?? 'user'}`, 'servers');
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

export async function recordServer(record: Omit<ServerRecord, 'startTicks' | 'harnessPid' | 'startedAt'>): Promise<void> {
  const full: ServerRecord = {
    ...record,
    harnessPid: process.pid,
    startTicks: processStartTicks(record.pgid) ?? '',
    startedAt: new Date().toISOString(),
  };
  await mkdir(registryDir(), { recursive: true });
  await writeFile(join(registryDir(), `${record.pgid}.json`), JSON.stringify(full));
}

export async function forgetServer(pgid: number): Promise<void> {
  await rm(join(registryDir(), `${pgid}.json`), { force: true });
}

/**
 * Stops every recorded server whose harness is gone but which is still running (same pid, same
 * start time), and forgets records of servers that are gone. Servers of a live harness are left alone.
 */
export async function reapOrphans(): Promise<ServerRecord[]> {
  let names: string[];
  try {
    names = await readdir(registryDir());
  } catch {
    return [];
  }
  const reaped: ServerRecord[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.json'))) {
    const path = join(registryDir(), name);
    let record: ServerRecord;
    try {
      record = JSON.parse(await readFile(path, 'utf8')) as ServerRecord;
    } catch {
      await rm(path, { force: true });
      continue;
    }
    const harnessAlive = processStartTicks(record.harnessPid) !== undefined;
    const serverTicks = processStartTicks(record.pgid);
    if (serverTicks === undefined || serverTicks !== record.startTicks) {
      await rm(path, { force: true });
      continue;
    }
    if (harnessAlive) continue;
    signalGroup(record.pgid, 'SIGKILL');
    reaped.push(record);
    await rm(path, { force: true });
  }
  return reaped;
}
