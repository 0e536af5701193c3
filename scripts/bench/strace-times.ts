/**
 * The time of the server's own syscall that made a trigger's event, as `strace -f -ttt -y` saw it: its
 * entry, while strace holds the thread there, so before the kernel made the file event (or wrote
 * the log line) a watch reacts to. Against the epoch time the trigger thread took right after its
 * kill() returned, that gives a latency that is, if anything, longer than the true one.
 */
import type { FlushPhase } from '../../src/nemesis/flush-phase.js';

export interface StraceLine {
  readonly time: number;
  readonly syscall: string;
  /** The line after the timestamp. */
  readonly text: string;
}

const LINE = /^\d+\s+(\d+\.\d+)\s+(.*)$/;
const SYSCALL = /^([a-z0-9_]+)\(/;

export function parseStraceLines(log: string): StraceLine[] {
  const lines: StraceLine[] = [];
  for (const raw of log.split('\n')) {
    const match = LINE.exec(raw);
    if (!match) continue;
    const text = match[2]!;
    const syscall = text.startsWith('--- ') ? 'signal' : (SYSCALL.exec(text)?.[1] ?? '');
    if (syscall === '' || text.startsWith('<... ')) continue;
    lines.push({ time: Number(match[1]), syscall, text });
  }
  return lines;
}

/** The quoted strings of a syscall line (paths, and for writes the data); escapes stay as strace wrote them. */
function quoted(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]!);
}

const failed = (text: string) => /\)\s+=\s+-1 /.test(text);
const isRename = (syscall: string) => syscall === 'rename' || syscall === 'renameat' || syscall === 'renameat2';
const renamedTo = (line: StraceLine) => (isRename(line.syscall) && !failed(line.text) ? quoted(line.text).at(-1) : undefined);
const base = (path: string | undefined) => path?.split('/').at(-1) ?? '';
const WRITES = new Set(['write', 'pwrite64', 'writev', 'pwritev', 'pwritev2']);

/**
 * Whether `line` is the syscall that makes the file event (or log line) a watch-mode trigger of
 * `phase` reacts to; `armed` says whether hot-deleting's manifest event has been seen.
 */
function marks(phase: FlushPhase, line: StraceLine, armed: boolean): boolean {
  switch (phase) {
    case 'job-running':
      return line.syscall === 'write' && /^write\(1[<,]/.test(line.text) && line.text.includes('Job started (local phase)');
    case 'tmp-written':
      return line.syscall === 'openat' && line.text.includes('O_CREAT') && !failed(line.text) && /^batch-\d+\.parquet\.tmp(#\d+)?$/.test(base(quoted(line.text)[0]));
    case 'segment-renamed':
      return /^batch-\d+\.parquet$/.test(base(renamedTo(line)));
    case 'manifest-written':
      return base(renamedTo(line)) === 'manifest.json';
    case 'hot-deleting':
      return armed && WRITES.has(line.syscall) && /^[a-z0-9]+\(\d+<[^>]*\/rocksdb\//.test(line.text);
    case 'random':
      return false;
  }
}

/**
 * The epoch ms of every syscall that marks `phase`, in order (for hot-deleting: the first hot-tier
 * write after each rename onto manifest.json).
 */
export function eventTimes(lines: readonly StraceLine[], phase: FlushPhase): number[] {
  const times: number[] = [];
  let armed = false;
  for (const line of lines) {
    if (phase === 'hot-deleting' && base(renamedTo(line)) === 'manifest.json') {
      armed = true;
      continue;
    }
    if (!marks(phase, line, armed)) continue;
    times.push(line.time * 1000);
    armed = false;
  }
  return times;
}

/** The first event within [from, to] (the trigger's arming and its signal), if any. */
export function firstEventBetween(times: readonly number[], from: number, to: number): number | undefined {
  return times.find((time) => time >= from && time <= to);
}
