import { readdirSync, readFileSync } from 'node:fs';

/** How close this process is to its open-file limit, which every server it starts inherits. */
export interface OpenFiles {
  readonly open: number;
  readonly softLimit: number;
}

/** Fewer free descriptors than this and a server the tool starts may fail for the tool's limit, not its own fault. */
export const LOW_HEADROOM = 16;

/**
 * The tool's open descriptors and soft limit from /proc/self; undefined where /proc cannot say.
 * Throws the EMFILE/ENFILE of trying, which is itself the answer: the tool is at its limit.
 */
export function openFiles(): OpenFiles | undefined {
  let limits: string;
  let open: number;
  try {
    limits = readFileSync('/proc/self/limits', 'utf8');
    open = readdirSync('/proc/self/fd').length - 1; // less the descriptor readdir itself held
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EMFILE' || code === 'ENFILE') throw error;
    return undefined;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  if (soft === undefined || soft === 'unlimited') return undefined;
  return { open, softLimit: Number(soft) };
}

/** The limit as the tool started, which its first server inherited. */
const limitAtStart = safely(openFiles)?.softLimit;

/**
 * Why the tool's own descriptor table, not the server, may explain a server's failure to start
 * (nearly full, or a lower limit than the tool started with, which the new server inherited),
 * or undefined when the tool has room to spare.
 */
export function openFileShortage(startLimit: number | undefined = limitAtStart): string | undefined {
  try {
    const files = openFiles();
    if (!files) return undefined;
    if (startLimit !== undefined && files.softLimit < startLimit) {
      return `EMFILE: the tool's open-file limit fell from ${startLimit} to ${files.softLimit} during the run, and a server it starts inherits that limit`;
    }
    if (files.softLimit - files.open >= LOW_HEADROOM) return undefined;
    return `EMFILE: the tool holds ${files.open} of its ${files.softLimit} open files, and a server it starts inherits that limit`;
  } catch (error) {
    return `${(error as NodeJS.ErrnoException).code}: the tool cannot open one more file, and a server it starts inherits that limit`;
  }
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
