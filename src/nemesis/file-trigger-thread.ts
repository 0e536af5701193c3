import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FilePhase } from './file-trigger.js';
import type { FileTriggerJobMessage, FileTriggerMessage, FileTriggerWorkerData, TriggerSource } from './file-trigger-worker.js';

export type { TriggerSource } from './file-trigger-worker.js';

export interface FiredTrigger {
  readonly observed: string;
  /** Epoch ms (sub-ms precision) when the worker thread received the event, and right after its signal was sent. */
  readonly observedAt: number;
  readonly killedAt: number;
}

export interface FileTriggerThread {
  /** True from the instant the worker decided to kill (readable even before its message arrives). */
  fired(): boolean;
  /** Resolves with what the worker observed once it has killed. */
  readonly killed: Promise<FiredTrigger>;
  /** The worker thread's nice value, or why it could not be raised. */
  readonly priority: number | string;
  /** Tells a job-log trigger which job is the flush's (from the flush command's answer). */
  tellJob(jobId: string): void;
  close(): Promise<void>;
}

export interface ArmOptions {
  /** SIGKILL unless the caller freezes the server (SIGSTOP) to let it go on afterwards. */
  readonly signal?: 'SIGKILL' | 'SIGSTOP';
  /** Signal only the process `pgid`, not its group (a server under strace shares strace's group). */
  readonly processOnly?: boolean;
  readonly readyTimeoutMs?: number;
}

/**
 * The worker: the compiled JS next to this file or, in tests and the bench, the TypeScript source
 * behind a bootstrap that registers tsx in the worker (a loader registered on the main thread does
 * not reach worker threads on Node 20).
 */
function startWorker(workerData: FileTriggerWorkerData): Worker {
  const js = new URL('./file-trigger-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData });
  const ts = new URL('./file-trigger-worker.ts', import.meta.url);
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(ts.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Arms a worker thread that signals process group `pgid` when `source` shows the phase; resolves
 * once its watches are in place.
 */
export async function armTrigger(source: TriggerSource, pgid: number, options: ArmOptions = {}): Promise<FileTriggerThread> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const fired = new Int32Array(new SharedArrayBuffer(4));
  const worker = startWorker({ source, pgid, signal: options.signal ?? 'SIGKILL', fired, ...(options.processOnly ? { processOnly: true } : {}) });
  let resolveKilled!: (value: FiredTrigger) => void;
  const killed = new Promise<FiredTrigger>((resolve) => (resolveKilled = resolve));
  let priority: number | string = 'unknown';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${source.kind} trigger worker was not ready within ${readyTimeoutMs} ms`)), readyTimeoutMs);
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    worker.on('message', (message: FileTriggerMessage) => {
      if (message.type === 'ready') {
        priority = message.priority;
        clearTimeout(timer);
        resolve();
      } else if (message.type === 'fired') resolveKilled(message);
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  return {
    fired: () => Atomics.load(fired, 0) === 1,
    killed,
    priority,
    tellJob: (jobId) => worker.postMessage({ type: 'job', jobId } satisfies FileTriggerJobMessage),
    close: async () => {
      await worker.terminate();
    },
  };
}

/** A storage/ file-event trigger under `root` for `phase`. */
export function armFileTrigger(root: string, pgid: number, phase: FilePhase, readyTimeoutMs = 10_000): Promise<FileTriggerThread> {
  return armTrigger({ kind: 'storage', storageDir: root, phase }, pgid, { readyTimeoutMs });
}
