import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SqlClient } from '../client/sql-client.js';
import type { ServerProcess } from '../target/supervisor.js';
import type { FlushPhase } from './flush-phase.js';
import { flushJobIds, jobIdFromFlushAnswer, waitForFlushJob } from './jobs-poll.js';
import { isFilePhase } from './file-trigger.js';
import { armFileTrigger, type FileTriggerThread } from './file-trigger-thread.js';
import { watchTree } from './tree-watch.js';
import { abortPromise } from '../util/abort.js';
import type { FlushKillOutcome, FlushKillTrigger } from '../vocabulary/faults.js';

export type { FlushKillOutcome, FlushKillTrigger } from '../vocabulary/faults.js';

export interface FlushKillOptions {
  readonly client: SqlClient;
  readonly server: ServerProcess;
  readonly dataDir: string;
  readonly namespace: string;
  readonly table: string;
  readonly phase: FlushPhase;
  readonly precision: 'watch' | 'syscall';
  readonly randomDelayMs: number;
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
  /** Delivers the kill; called at most once, synchronously inside the triggering callback. */
  readonly kill: () => void;
}

/**
 * Requests `STORAGE FLUSH TABLE` and kills the server at the intended phase, reacting to the
 * observation that marks it: a file event under storage/ (a `.parquet.tmp` appears, a segment
 * appears, manifest.json is replaced or rewritten; watched and killed from a worker thread), the
 * first hot-tier write after the manifest (hot rows being deleted), the job reaching `running`, or
 * a seeded delay. In syscall
 * precision the server is already running under strace, which kills it by itself.
 * When the flush ends before the trigger fires, the server is killed anyway and the outcome says so.
 */
/** An epoch time from another thread, on this thread's performance.now() clock. */
function toLocal(epochMs: number): number {
  return epochMs - performance.timeOrigin;
}

export async function killDuringFlush(options: FlushKillOptions): Promise<FlushKillOutcome> {
  const storageDir = join(options.dataDir, 'storage');
  mkdirSync(storageDir, { recursive: true });
  const cleanups: (() => void)[] = [];
  let killedBy: { trigger: FlushKillTrigger; latencyMs?: number; observed?: string; atMs: number } | undefined;
  let resolveKilled!: () => void;
  const killed = new Promise<void>((resolve) => (resolveKilled = resolve));
  /** `killedAtMs` when the SIGKILL was already sent (by the worker thread); the writers still stop here. */
  const kill = (trigger: FlushKillTrigger, observedAtMs?: number, observed?: string, killedAtMs?: number) => {
    if (killedBy) return;
    if (!options.server.hasExited()) options.kill();
    const atMs = killedAtMs ?? performance.now();
    killedBy = { trigger, atMs, ...(observedAtMs !== undefined ? { latencyMs: atMs - observedAtMs } : {}), ...(observed ? { observed } : {}) };
    resolveKilled();
  };

  const jobsBefore = await flushJobIds(options.client);
  let thread: FileTriggerThread | undefined;
  if (options.precision === 'watch') {
    if (isFilePhase(options.phase)) {
      // The watch and the SIGKILL live on a worker thread; the main thread only hears about it.
      const armed = await armFileTrigger(storageDir, options.server.pid, options.phase);
      thread = armed;
      cleanups.push(() => void armed.close());
      armed.killed.then(
        (event) => kill('file-event', toLocal(event.observedAt), event.observed, toLocal(event.killedAt)),
        () => {},
      );
    } else if (options.phase === 'hot-deleting') {
      // Armed by the manifest's replacement; fired by the next write to the hot tier (rocksdb/).
      let manifest: string | undefined;
      const hot = watchTree(join(options.dataDir, 'rocksdb'), (type, path) => {
        if (manifest && type === 'change') kill('wal-write', performance.now(), `${manifest} then ${path}`);
      });
      const storage = watchTree(storageDir, (_type, path) => {
        if (basename(path) === 'manifest.json') manifest ??= path;
      });
      cleanups.push(() => hot.close(), () => storage.close());
    }
  }

  const flushSql = `STORAGE FLUSH TABLE ${options.namespace}.${options.table}`;
  const answer = await options.client.execute(flushSql);
  const requestedAtMs = performance.now();
  const flushMessage = answer.kind === 'success' ? answer.results[0]?.message : answer.kind === 'error' ? `${answer.code}: ${answer.message}` : answer.reason;
  const answeredJobId = answer.kind === 'success' ? jobIdFromFlushAnswer(flushMessage) : undefined;

  let timer: NodeJS.Timeout | undefined;
  if (options.precision === 'watch' && options.phase === 'random') {
    timer = setTimeout(() => kill('delay'), options.randomDelayMs);
  }
  const jobWatch = new AbortController();
  cleanups.push(() => jobWatch.abort());
  const jobWait = (status: 'running' | 'completed') =>
    waitForFlushJob(options.client, {
      namespace: options.namespace,
      table: options.table,
      status,
      sinceJobIds: jobsBefore,
      ...(answeredJobId ? { jobId: answeredJobId } : {}),
      deadlineMs: options.deadlineMs,
      signal: jobWatch.signal,
    });
  let jobId: string | undefined = answeredJobId;
  if (options.precision === 'watch' && options.phase === 'job-running') {
    jobWait('running').then(
      (job) => {
        jobId = job.jobId;
        kill('job-state', job.observedAtMs, `job ${job.jobId} ${job.status}`);
      },
      () => {},
    );
  }
  const finished = jobWait('completed').then(
    (job) => {
      jobId ??= job.jobId;
      return 'flush-finished' as const;
    },
    () => 'flush-ended' as const,
  );
  let deadlineTimer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    killed.then(() => 'killed' as const),
    options.server.exited.then(() => 'server-exit' as const),
    options.precision === 'syscall' ? new Promise<never>(() => {}) : finished,
    new Promise<'deadline'>((resolve) => (deadlineTimer = setTimeout(() => resolve('deadline'), options.deadlineMs))),
    abortPromise(options.signal),
  ]).finally(() => {
    clearTimeout(timer);
    clearTimeout(deadlineTimer);
  });
  // The worker's SIGKILL can be seen (as an exit, or as the end of polling) before its message arrives.
  let ended: 'killed' | 'server-exit' = first === 'server-exit' ? 'server-exit' : 'killed';
  if (thread?.fired() && !killedBy) {
    const event = await Promise.race([thread.killed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5_000))]);
    if (event) kill('file-event', toLocal(event.observedAt), event.observed, toLocal(event.killedAt));
    ended = 'killed';
  }
  if (first === 'server-exit' && !killedBy) {
    killedBy = { trigger: options.precision === 'syscall' ? 'syscall' : 'deadline', atMs: performance.now() };
  }
  if (first === 'flush-finished' || first === 'flush-ended' || first === 'deadline') kill(first === 'deadline' ? 'deadline' : 'flush-finished');
  for (const cleanup of cleanups) cleanup();
  const outcome = killedBy!;
  return {
    ended,
    trigger: outcome.trigger,
    ...(jobId ? { jobId } : {}),
    ...(flushMessage ? { flushMessage } : {}),
    afterFlushMs: Math.max(0, outcome.atMs - requestedAtMs),
    ...(outcome.latencyMs !== undefined ? { triggerLatencyMs: outcome.latencyMs } : {}),
    ...(outcome.observed ? { observed: outcome.observed } : {}),
  };
}
