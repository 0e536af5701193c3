import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlClient } from '../client/sql-client.js';
import type { ServerProcess } from '../target/supervisor.js';
import type { FlushPhase } from './flush-phase.js';
import { flushJobIds, jobIdFromFlushAnswer, waitForFlushJob } from './jobs-poll.js';
import { isFilePhase } from './file-trigger.js';
import { armTrigger, type FileTriggerThread, type TriggerSource } from './file-trigger-thread.js';
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

/** What a watch-mode kill at `phase` watches, and the trigger it is recorded as; none for the random delay. */
function triggerSource(options: FlushKillOptions, storageDir: string): { source: TriggerSource; trigger: FlushKillTrigger } | undefined {
  const { phase } = options;
  if (isFilePhase(phase)) return { source: { kind: 'storage', storageDir, phase }, trigger: 'file-event' };
  if (phase === 'hot-deleting') return { source: { kind: 'hot-delete', storageDir, rocksdbDir: join(options.dataDir, 'rocksdb') }, trigger: 'wal-write' };
  if (phase === 'job-running') return { source: { kind: 'job-log', logPath: options.server.stdoutPath, namespace: options.namespace, table: options.table }, trigger: 'job-log' };
  return undefined;
}

/** An epoch time from another thread, on this thread's performance.now() clock. */
function toLocal(epochMs: number): number {
  return epochMs - performance.timeOrigin;
}

/**
 * Requests `STORAGE FLUSH TABLE` and kills the server at the intended phase, reacting to the
 * observation that marks it, on a worker thread: the server's log line saying the flush job started
 * (job-running), a file event under storage/ (a segment temp file appears, a segment appears,
 * manifest.json is replaced or rewritten), the first hot-tier write after the manifest (hot rows
 * being deleted); or after a seeded delay. In syscall precision the server is already running under
 * strace, which kills it by itself.
 * When the flush ends before the trigger fires, the server is killed anyway and the outcome says so.
 */
export async function killDuringFlush(options: FlushKillOptions): Promise<FlushKillOutcome> {
  const storageDir = join(options.dataDir, 'storage');
  mkdirSync(storageDir, { recursive: true });
  const cleanups: (() => void)[] = [];
  let killedBy: { trigger: FlushKillTrigger; latencyMs?: number; observed?: string; atMs: number; epochMs: number } | undefined;
  let resolveKilled!: () => void;
  const killed = new Promise<void>((resolve) => (resolveKilled = resolve));
  /** `killedAtMs` when the SIGKILL was already sent (by the worker thread); the writers still stop here. */
  const kill = (trigger: FlushKillTrigger, observedAtMs?: number, observed?: string, killedAtMs?: number) => {
    if (killedBy) return;
    if (!options.server.hasExited()) options.kill();
    const atMs = killedAtMs ?? performance.now();
    killedBy = { trigger, atMs, epochMs: Date.now(), ...(observedAtMs !== undefined ? { latencyMs: atMs - observedAtMs } : {}), ...(observed ? { observed } : {}) };
    resolveKilled();
  };

  const jobsBefore = await flushJobIds(options.client);
  let thread: FileTriggerThread | undefined;
  const watched = options.precision === 'watch' ? triggerSource(options, storageDir) : undefined;
  if (watched) {
    // The watch and the SIGKILL live on a worker thread; the main thread only hears about it.
    const armed = await armTrigger(watched.source, options.server.pid);
    thread = armed;
    cleanups.push(() => void armed.close());
    armed.killed.then(
      (event) => kill(watched.trigger, toLocal(event.observedAt), event.observed, toLocal(event.killedAt)),
      () => {},
    );
  }

  const flushSql = `STORAGE FLUSH TABLE ${options.namespace}.${options.table}`;
  const answer = await options.client.execute(flushSql);
  const requestedAtMs = performance.now();
  const flushMessage = answer.kind === 'success' ? answer.results[0]?.message : answer.kind === 'error' ? `${answer.code}: ${answer.message}` : answer.reason;
  const answeredJobId = answer.kind === 'success' ? jobIdFromFlushAnswer(flushMessage) : undefined;
  if (answeredJobId) thread?.tellJob(answeredJobId);

  let timer: NodeJS.Timeout | undefined;
  if (options.precision === 'watch' && options.phase === 'random') {
    timer = setTimeout(() => kill('delay'), options.randomDelayMs);
  }
  const jobWatch = new AbortController();
  cleanups.push(() => jobWatch.abort());
  let jobId: string | undefined = answeredJobId;
  const finished = waitForFlushJob(options.client, {
    namespace: options.namespace,
    table: options.table,
    status: 'completed',
    sinceJobIds: jobsBefore,
    ...(answeredJobId ? { jobId: answeredJobId } : {}),
    deadlineMs: options.deadlineMs,
    signal: jobWatch.signal,
  }).then(
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
    if (event) kill(watched!.trigger, toLocal(event.observedAt), event.observed, toLocal(event.killedAt));
    ended = 'killed';
  }
  if (first === 'server-exit' && !killedBy) {
    killedBy = { trigger: options.precision === 'syscall' ? 'syscall' : 'deadline', atMs: performance.now(), epochMs: Date.now() };
  }
  if (first === 'flush-finished' || first === 'flush-ended' || first === 'deadline') kill(first === 'deadline' ? 'deadline' : 'flush-finished');
  for (const cleanup of cleanups) cleanup();
  const outcome = killedBy!;
  jobId ??= outcome.trigger === 'job-log' ? /^job (\S+) started/.exec(outcome.observed ?? '')?.[1] : undefined;
  return {
    ended,
    trigger: outcome.trigger,
    ...(jobId ? { jobId } : {}),
    ...(flushMessage ? { flushMessage } : {}),
    afterFlushMs: Math.max(0, outcome.atMs - requestedAtMs),
    ...(outcome.latencyMs !== undefined ? { triggerLatencyMs: outcome.latencyMs } : {}),
    ...(outcome.observed ? { observed: outcome.observed } : {}),
    killedAtEpochMs: outcome.epochMs,
  };
}
