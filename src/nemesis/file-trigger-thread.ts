import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FilePhase } from './file-trigger.js';
import type { FileTriggerMessage, FileTriggerWorkerData } from './file-trigger-worker.js';

export interface FileTriggerThread {
  /** True from the instant the worker decided to kill (readable even before its message arrives). */
  fired(): boolean;
  /** Resolves with what the worker observed once it has killed. */
  readonly killed: Promise<{ observed: string; observedAt: number; killedAt: number }>;
  close(): Promise<void>;
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
 * Arms a worker thread that SIGKILLs process group `pgid` when the flush under `root` reaches
 * `phase`; resolves once the watch is in place. Times are epoch milliseconds.
 */
export async function armFileTrigger(root: string, pgid: number, phase: FilePhase, readyTimeoutMs = 10_000): Promise<FileTriggerThread> {
  const fired = new Int32Array(new SharedArrayBuffer(4));
  const worker = startWorker({ root, pgid, phase, fired });
  let resolveKilled!: (value: { observed: string; observedAt: number; killedAt: number }) => void;
  const killed = new Promise<{ observed: string; observedAt: number; killedAt: number }>((resolve) => (resolveKilled = resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the file-trigger worker was not ready within ${readyTimeoutMs} ms`)), readyTimeoutMs);
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    worker.on('message', (message: FileTriggerMessage) => {
      if (message.type === 'ready') {
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
    close: async () => {
      await worker.terminate();
    },
  };
}
