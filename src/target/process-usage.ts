import { readFile } from 'node:fs/promises';

/** USER_HZ: the unit of /proc/PID/stat times, 100 on every Linux ABI. */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** CPU since the previous sample, in percent of one core. */
  readonly cpuPercent: number;
  readonly memoryBytes: number;
}

/**
 * Samples one process's CPU and resident memory from /proc, opening and closing each file per
 * sample. Not pidusage: it keeps /proc/PID/stat open between samples (its clear() leaks the fd,
 * one per server) and prints warnings on stderr when the tool is out of file descriptors.
 * Resolves undefined when the process is gone or /proc cannot be read.
 */
export function processSampler(pid: number): () => Promise<ProcessUsage | undefined> {
  let previous: { ticks: number; at: number } | undefined;
  return async () => {
    let stat: string;
    let status: string;
    try {
      [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    } catch {
      return undefined;
    }
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const at = performance.now();
    const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    const cpuPercent = previous && at > previous.at ? ((ticks - previous.ticks) / TICKS_PER_SECOND / ((at - previous.at) / 1000)) * 100 : 0;
    previous = { ticks, at };
    return { cpuPercent: Math.max(0, cpuPercent), memoryBytes: rssKiB * 1024 };
  };
}
