import type { SqlClient } from '../../client/sql-client.js';
import type { HistoryEvent } from '../../vocabulary/events.js';
import { jobIdFromFlushAnswer, listFlushJobs, type FlushJob } from '../../nemesis/jobs-poll.js';
import { delay } from '../../util/wait.js';
import type { FlushStuckReason, Violation } from '../../vocabulary/violations.js';

export const FLUSH_STUCK = 'flush-stuck';
export const DEFAULT_FLUSH_DEADLINE_MS = 30_000;

/** Whether a table holds rows no completed flush can have taken: certainly, perhaps, or none. */
export type Hotness = 'certain' | 'maybe' | 'none';

/**
 * Where a table's last completed flush sits in the workload's request ids: requests issued before
 * `commandBefore` were answered before the flush was asked for; those from `completedBefore` on
 * were issued after it was seen completed.
 */
export interface FlushMark {
  readonly commandBefore: number;
  readonly completedBefore: number;
}

/**
 * `maxAcknowledged`: the highest acknowledged request id of the table. A table that flushes on its
 * own (FLUSH_POLICY) may have been flushed behind our back, so it is never certainly hot.
 */
export function hotness(maxAcknowledged: number | undefined, mark: FlushMark | undefined, flushesOnItsOwn: boolean): Hotness {
  if (maxAcknowledged === undefined) return 'none';
  const certain = mark === undefined || maxAcknowledged >= mark.completedBefore;
  if (certain) return flushesOnItsOwn ? 'maybe' : 'certain';
  return maxAcknowledged >= mark.commandBefore ? 'maybe' : 'none';
}

type FlushStuck = Extract<Violation, { kind: 'flush-stuck' }>;

export type LivenessFlushOutcome =
  | { readonly ok: true; readonly completed: boolean; readonly jobId?: string; readonly answers: string[] }
  | { readonly ok: false; readonly violation: FlushStuck };

export interface LivenessFlushOptions {
  readonly client: Pick<SqlClient, 'execute' | 'query'>;
  readonly namespace: string;
  readonly table: string;
  readonly hot: Exclude<Hotness, 'none'>;
  readonly deadlineMs: number;
  /** Epoch ms when this incarnation became ready: a job completed since explains `no pending writes`. */
  readonly readySinceMs: number;
  readonly cycle: number;
  readonly incarnation: number;
  readonly record: (event: HistoryEvent) => void;
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
}

const ACTIVE = new Set(['new', 'queued', 'running', 'retrying']);
/** How the server says a table has nothing to flush (success answer, or kalamdb-server's error for it). */
const NOTHING_TO_FLUSH = /no pending writes|nothing to do/i;

/**
 * STORAGE FLUSH TABLE, then the job its answer names followed to completion within the deadline.
 * A skip behind a job already queued or running waits for that job and asks again. A failed job,
 * a job or skip outlasting the deadline, a refusal, or `no pending writes` while acknowledged rows
 * are certainly hot is a flush-stuck violation. Every request, answer and job state is recorded.
 */
export async function flushToCompletion(options: LivenessFlushOptions): Promise<LivenessFlushOutcome> {
  const { client, namespace, table, cycle, incarnation, record } = options;
  const qualified = `${namespace}.${table}`;
  const interval = options.intervalMs ?? 50;
  const deadline = performance.now() + options.deadlineMs;
  const answers: string[] = [];
  const seen = new Map<string, string>();
  const left = () => deadline - performance.now();

  const jobsOfTable = async (): Promise<FlushJob[]> =>
    (await listFlushJobs(client)).filter((job) => job.table === table && (job.namespace === undefined || job.namespace === namespace));
  const observe = (jobs: readonly FlushJob[]) => {
    for (const job of jobs) {
      if (seen.get(job.jobId) === job.status) continue;
      seen.set(job.jobId, job.status);
      record({ type: 'flush-job', cycle, incarnation, table: qualified, jobId: job.jobId, status: job.status, ...(job.message ? { message: job.message } : {}) });
    }
  };
  const stuck = async (reason: FlushStuckReason, job?: FlushJob): Promise<LivenessFlushOutcome> => {
    const jobs = await jobsOfTable().catch(() => []);
    observe(jobs);
    const violation: FlushStuck = {
      kind: 'flush-stuck',
      table: qualified,
      incarnation,
      reason,
      answers,
      ...(job ? { jobId: job.jobId, jobStatus: job.status, ...(job.message ? { jobMessage: job.message } : {}) } : {}),
      jobs: jobs.map((row) => ({
        jobId: row.jobId,
        status: row.status,
        ...(row.message !== undefined ? { message: row.message } : {}),
        ...(row.createdAt !== undefined ? { createdAt: row.createdAt } : {}),
        ...(row.startedAt !== undefined ? { startedAt: row.startedAt } : {}),
        ...(row.finishedAt !== undefined ? { finishedAt: row.finishedAt } : {}),
      })),
      deadlineMs: options.deadlineMs,
    };
    record({ type: 'flush-liveness', cycle, incarnation, table: qualified, ok: false, reason, ...(job ? { jobId: job.jobId } : {}), violation });
    return { ok: false, violation };
  };
  /** Polls the table's jobs until `done` says so or the deadline passes; returns the last jobs seen. */
  const pollUntil = async (done: (jobs: FlushJob[]) => boolean): Promise<{ jobs: FlushJob[]; timedOut: boolean }> => {
    for (;;) {
      options.signal?.throwIfAborted();
      const jobs = await jobsOfTable();
      observe(jobs);
      if (done(jobs)) return { jobs, timedOut: false };
      if (left() <= 0) return { jobs, timedOut: true };
      await delay(Math.min(interval, left()), options.signal);
    }
  };

  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    if (attempt > 1 && left() <= 0) return stuck('already-running');
    record({ type: 'flush-request', cycle, incarnation, table: qualified, attempt, hot: options.hot });
    const outcome = await client.execute(`STORAGE FLUSH TABLE ${qualified}`);
    if (outcome.kind === 'indeterminate' || outcome.kind === 'refused') {
      throw new Error(`STORAGE FLUSH TABLE ${qualified} got no answer from incarnation ${incarnation}: ${outcome.reason}`);
    }
    if (outcome.kind === 'error') {
      const answer = `${outcome.code}: ${outcome.message}`;
      answers.push(answer);
      record({ type: 'flush-answer', cycle, incarnation, table: qualified, attempt, answer, error: true });
      // kalamdb-server also refuses with an error: `Job Flush skipped: pre-validation returned false (nothing to do)`.
      return NOTHING_TO_FLUSH.test(answer) ? nothingPending() : stuck('refused');
    }
    const answer = outcome.results[outcome.results.length - 1]?.message ?? '';
    answers.push(answer);
    const jobId = jobIdFromFlushAnswer(answer);
    record({ type: 'flush-answer', cycle, incarnation, table: qualified, attempt, answer, ...(jobId ? { jobId } : {}) });

    if (jobId) {
      const { jobs, timedOut } = await pollUntil((jobs) => jobs.some((job) => job.jobId === jobId && !ACTIVE.has(job.status)));
      const job = jobs.find((candidate) => candidate.jobId === jobId);
      if (timedOut || !job) return stuck('deadline', job);
      if (job.status !== 'completed') return stuck('job-failed', job);
      record({ type: 'flush-liveness', cycle, incarnation, table: qualified, ok: true, jobId, completed: true });
      return { ok: true, completed: true, jobId, answers };
    }
    if (/already queued or running/i.test(answer)) {
      // Wait for the job that blocks this one, then ask again; one that never ends is the violation.
      const { jobs, timedOut } = await pollUntil((jobs) => !jobs.some((job) => ACTIVE.has(job.status)));
      if (timedOut) return stuck('already-running', jobs.find((job) => ACTIVE.has(job.status)));
      await delay(Math.min(interval, Math.max(left(), 0)), options.signal);
      continue;
    }
    if (NOTHING_TO_FLUSH.test(answer)) return nothingPending();
    return stuck('refused');
  }

  /** The server found nothing to flush: fine unless the table certainly holds hot rows and no flush took them since the restart. */
  async function nothingPending(): Promise<LivenessFlushOutcome> {
    const jobs = await jobsOfTable();
    observe(jobs);
    const completedSinceReady = jobs.find((job) => job.status === 'completed' && Number(job.finishedAt ?? 0) >= options.readySinceMs);
    if (options.hot === 'maybe' || completedSinceReady) {
      record({ type: 'flush-liveness', cycle, incarnation, table: qualified, ok: true, completed: completedSinceReady !== undefined, ...(completedSinceReady ? { jobId: completedSinceReady.jobId } : {}) });
      return { ok: true, completed: completedSinceReady !== undefined, ...(completedSinceReady ? { jobId: completedSinceReady.jobId } : {}), answers };
    }
    return stuck('no-pending-writes');
  }
}
