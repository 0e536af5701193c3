/**
 * Worker thread: watches storage/ and SIGKILLs the server's process group the moment the flush
 * reaches the phase. Off the main thread, whose event loop is busy with the writers' HTTP traffic,
 * the reaction does not wait behind it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fileTriggerRule, type FilePhase } from './file-trigger.js';
import { watchTree } from './tree-watch.js';

export interface FileTriggerWorkerData {
  readonly root: string;
  readonly pgid: number;
  readonly phase: FilePhase;
  /** Set to 1 before the kill, so the main thread can tell our kill from a crash when the exit wins. */
  readonly fired: Int32Array;
}

export type FileTriggerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'fired'; readonly observed: string; readonly observedAt: number; readonly killedAt: number }
  | { readonly type: 'error'; readonly message: string };

const data = workerData as FileTriggerWorkerData;
const port = parentPort!;
const rule = fileTriggerRule(data.phase);
const now = () => performance.timeOrigin + performance.now();
const watch = watchTree(
  data.root,
  (eventType, path) => {
    const observedAt = now();
    const observed = rule(eventType, path);
    if (observed === undefined) return;
    Atomics.store(data.fired, 0, 1);
    try {
      process.kill(-data.pgid, 'SIGKILL');
    } catch {
      // already gone: the main thread sees the exit
    }
    const killedAt = now();
    port.postMessage({ type: 'fired', observed, observedAt, killedAt } satisfies FileTriggerMessage);
    watch.close();
  },
  (error) => port.postMessage({ type: 'error', message: error.message } satisfies FileTriggerMessage),
);
port.postMessage({ type: 'ready' } satisfies FileTriggerMessage);
