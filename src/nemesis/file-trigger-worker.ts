/**
 * Worker thread: watches the server's files and signals its process group the moment the flush
 * reaches the phase. Off the main thread, whose event loop is busy with the writers' HTTP traffic,
 * the reaction does not wait behind it.
 */
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { fileTriggerRule, hotDeleteRule, type FilePhase } from './file-trigger.js';
import { tailFile } from './file-tail.js';
import { jobStartRule } from './log-trigger.js';
import { watchTree } from './tree-watch.js';

/** What marks the phase: a file event under storage/, the hot tier's first write after the manifest, or the job's start in the server's log. */
export type TriggerSource =
  | { readonly kind: 'storage'; readonly storageDir: string; readonly phase: FilePhase }
  | { readonly kind: 'hot-delete'; readonly storageDir: string; readonly rocksdbDir: string }
  | { readonly kind: 'job-log'; readonly logPath: string; readonly namespace: string; readonly table: string };

export interface FileTriggerWorkerData {
  readonly source: TriggerSource;
  /** The process group (the server's supervisor starts it as one), or with `processOnly` the single process. */
  readonly pgid: number;
  readonly processOnly?: boolean;
  /** SIGKILL in campaigns; the bench's probe freezes the server with SIGSTOP instead, to go on. */
  readonly signal: 'SIGKILL' | 'SIGSTOP';
  /** Set to 1 before the kill, so the main thread can tell our kill from a crash when the exit wins. */
  readonly fired: Int32Array;
}

export type FileTriggerMessage =
  | { readonly type: 'ready'; readonly priority: number | string }
  | { readonly type: 'fired'; readonly observed: string; readonly observedAt: number; readonly killedAt: number }
  | { readonly type: 'error'; readonly message: string };

/** From the main thread: the job the flush command's answer named. */
export interface FileTriggerJobMessage {
  readonly type: 'job';
  readonly jobId: string;
}

const data = workerData as FileTriggerWorkerData;
const port = parentPort!;
const now = () => performance.timeOrigin + performance.now();
const closers: (() => void)[] = [];

// The reaction waits for this thread to get a CPU, behind a busy server and writers on few cores.
// On Linux scheduling is per thread: this one alone becomes real-time (SCHED_FIFO, it sleeps until
// an event and does little then), or at least gets a lower nice value; unprivileged, it stays as it is.
function raisePriority(): number | string {
  try {
    const tid = readlinkSync('/proc/thread-self').split('/').pop()!;
    const chrt = spawnSync('chrt', ['--fifo', '--pid', '1', tid], { stdio: 'ignore', timeout: 2_000 });
    if (chrt.status === 0) return 'SCHED_FIFO 1';
  } catch {
    // no /proc or no chrt: try nice
  }
  try {
    setPriority(-10);
    return -10;
  } catch (error) {
    return `unchanged: ${(error as Error).message}`;
  }
}
const priority = raisePriority();

function fire(observed: string | undefined, observedAt: number): void {
  if (observed === undefined) return;
  Atomics.store(data.fired, 0, 1);
  try {
    process.kill(data.processOnly ? data.pgid : -data.pgid, data.signal);
  } catch {
    // already gone: the main thread sees the exit
  }
  const killedAt = now();
  port.postMessage({ type: 'fired', observed, observedAt, killedAt } satisfies FileTriggerMessage);
  for (const close of closers) close();
}

const onError = (error: Error) => port.postMessage({ type: 'error', message: error.message } satisfies FileTriggerMessage);
const source = data.source;
switch (source.kind) {
  case 'storage': {
    const rule = fileTriggerRule(source.phase);
    const watch = watchTree(source.storageDir, (eventType, path) => fire(rule(eventType, path), now()), onError);
    closers.push(() => watch.close());
    break;
  }
  case 'hot-delete': {
    const rule = hotDeleteRule();
    const storage = watchTree(source.storageDir, (eventType, path) => fire(rule('storage', eventType, path), now()), onError);
    const hot = watchTree(source.rocksdbDir, (eventType, path) => fire(rule('rocksdb', eventType, path), now()), onError);
    closers.push(() => storage.close(), () => hot.close());
    break;
  }
  case 'job-log': {
    const rule = jobStartRule(source.namespace, source.table);
    const tail = tailFile(source.logPath, (text) => fire(rule.feed(text), now()), onError);
    closers.push(() => tail.close());
    port.on('message', (message: FileTriggerJobMessage) => {
      if (message.type === 'job') fire(rule.ours(message.jobId), now());
    });
    break;
  }
}
port.postMessage({ type: 'ready', priority } satisfies FileTriggerMessage);
