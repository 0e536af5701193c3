import { performance } from 'node:perf_hooks';
import type { SqlClient } from '../client/sql-client.js';
import { rowsAsObjects } from '../client/responses.js';
import { DeadlineExceeded, delay } from '../util/wait.js';

export type JobStatus = 'new' | 'queued' | 'running' | 'retrying' | 'completed' | 'failed' | 'cancelled' | 'skipped';

export interface FlushJob {
  readonly jobId: string;
  readonly status: string;
  readonly namespace?: string;
  readonly table?: string;
  readonly message?: string;
  readonly createdAt?: unknown;
  readonly startedAt?: unknown;
  readonly finishedAt?: unknown;
  readonly retryCount?: number;
}

/** Only what polling needs from a client, so tests can pass a fake. */
export type JobsQueryClient = Pick<SqlClient, 'query'>;

/** States at or past `running`: a poll can miss the brief `running` window and see it already done. */
const PAST_RUNNING = new Set(['running', 'retrying', 'completed', 'failed', 'cancelled', 'skipped']);
const FINISHED = new Set(['completed', 'failed', 'cancelled', 'skipped']);

/** The namespace and table a flush job's `parameters` JSON names, if it can be read. */
export function flushJobTable(parameters: unknown): { namespace?: string; table?: string } {
  let value: unknown = parameters;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  // KalamDB at HEAD: {"table_id":"ns.t","table_type":"Shared",...}; older shapes name the parts.
  const namespace = record.namespace_id ?? record.namespace;
  const table = record.table_name ?? record.table ?? record.table_id;
  const out: { namespace?: string; table?: string } = {};
  if (typeof namespace === 'string') out.namespace = namespace;
  if (typeof table === 'string') {
    // "ns.table" in table_id (HEAD) or table_name.
    const dot = table.indexOf('.');
    if (out.namespace === undefined && dot > 0) {
      out.namespace = table.slice(0, dot);
      out.table = table.slice(dot + 1);
    } else out.table = table;
  }
  return out;
}

/**
 * The text of a job's `message`: KalamDB stores a finished job's result as JSON text
 * (`{"message":"Flushed ns:t successfully (2 rows, 1 files)"}`) and a failure as plain text
 * (`Server restarted`); both read as the plain sentence.
 */
export function flushJobMessage(message: unknown): string | undefined {
  if (typeof message !== 'string') return undefined;
  if (!message.startsWith('{')) return message;
  try {
    const value = JSON.parse(message) as unknown;
    if (typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>).message === 'string') {
      return (value as Record<string, string>).message;
    }
  } catch {
    // not JSON after all: keep the text as it is
  }
  return message;
}

/**
 * The flush jobs among the newest 1000 of system.jobs, oldest first. Without ORDER BY and LIMIT the
 * server's default_query_limit cuts the list, and a table flushing by its own FLUSH_POLICY soon
 * pushes a new job past it: the job a poll waits for would never show.
 */
export async function listFlushJobs(client: JobsQueryClient): Promise<FlushJob[]> {
  const result = await client.query('SELECT * FROM system.jobs ORDER BY created_at DESC LIMIT 1000');
  const jobs: FlushJob[] = [];
  for (const row of rowsAsObjects(result)) {
    if (typeof row.job_type !== 'string' || row.job_type.toLowerCase() !== 'flush') continue;
    const { namespace, table } = flushJobTable(row.parameters);
    const job: { -readonly [K in keyof FlushJob]: FlushJob[K] } = {
      jobId: String(row.job_id),
      status: (typeof row.status === 'string' ? row.status : '').toLowerCase(),
    };
    if (namespace !== undefined) job.namespace = namespace;
    if (table !== undefined) job.table = table;
    const message = flushJobMessage(row.message);
    if (message !== undefined) job.message = message;
    if (row.created_at !== undefined) job.createdAt = row.created_at;
    if (row.started_at !== undefined) job.startedAt = row.started_at;
    if (row.finished_at !== undefined) job.finishedAt = row.finished_at;
    if (typeof row.retry_count === 'number') job.retryCount = row.retry_count;
    else if (typeof row.retry_count === 'string' && /^\d+$/.test(row.retry_count)) job.retryCount = Number(row.retry_count);
    jobs.unshift(job);
  }
  // Oldest first whatever order the server kept among equal or missing creation times.
  const created = (job: FlushJob) => Number(job.createdAt);
  return jobs.every((job) => Number.isFinite(created(job))) ? jobs.sort((a, b) => created(a) - created(b)) : jobs;
}

/** The job id a flush answer names (`Storage flush started for table 'ns.t'. Job ID: FL-...`). */
export function jobIdFromFlushAnswer(message: string | undefined): string | undefined {
  return message ? /Job ID:\s*([A-Za-z]+-[A-Za-z0-9_-]+)/.exec(message)?.[1] : undefined;
}

/** A flush the server declined to start (`Storage flush skipped: ...`, `... no pending writes`). */
export function flushWasSkipped(message: string | undefined): boolean {
  return message !== undefined && jobIdFromFlushAnswer(message) === undefined && /skipp|no pending writes|already queued or running/i.test(message);
}

export interface WaitForFlushJobOptions {
  readonly namespace: string;
  readonly table: string;
  /**
   * 'running': the first poll that sees the job at or past running (a fast flush may be missed while
   * running; the returned status says what was seen). 'completed': the job finished; a job that
   * ended failed/cancelled/skipped makes the wait reject.
   */
  readonly status: 'running' | 'completed';
  /** Jobs that existed before the flush was started: never the one waited for. */
  readonly sinceJobIds?: ReadonlySet<string>;
  /** The job the flush answer named: when given, only that job counts. */
  readonly jobId?: string;
  readonly deadlineMs: number;
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
}

export interface ObservedFlushJob {
  readonly jobId: string;
  readonly status: string;
  /** performance.now() when the answer naming this status arrived. */
  readonly observedAtMs: number;
}

export class FlushJobFailed extends Error {
  override name = 'FlushJobFailed';
  constructor(readonly job: FlushJob) {
    super(`flush job ${job.jobId} for ${job.namespace}.${job.table} ended ${job.status}${job.message ? `: ${job.message}` : ''}`);
  }
}

/** Ids of the flush jobs already known, to pass as `sinceJobIds` before starting a flush. */
export async function flushJobIds(client: JobsQueryClient): Promise<Set<string>> {
  return new Set((await listFlushJobs(client)).map((job) => job.jobId));
}

/** Polls system.jobs until a new flush job of the table reaches the wanted status. */
export async function waitForFlushJob(client: JobsQueryClient, options: WaitForFlushJobOptions): Promise<ObservedFlushJob> {
  const interval = options.intervalMs ?? 5;
  const deadline = performance.now() + options.deadlineMs;
  const what = `flush job of ${options.namespace}.${options.table} to be ${options.status}`;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const jobs = await listFlushJobs(client);
      const observedAtMs = performance.now();
      const mine = jobs.filter(
        (job) =>
          (options.jobId === undefined || job.jobId === options.jobId) &&
          (options.jobId !== undefined || job.table === options.table) &&
          (job.namespace === undefined || job.namespace === options.namespace) &&
          !options.sinceJobIds?.has(job.jobId),
      );
      for (const job of mine) {
        if (options.status === 'running' && PAST_RUNNING.has(job.status))
          return { jobId: job.jobId, status: job.status, observedAtMs };
        if (options.status === 'completed' && job.status === 'completed')
          return { jobId: job.jobId, status: job.status, observedAtMs };
      }
      if (options.status === 'completed') {
        // Only give up on a failed job if no other job of the table may still complete.
        const failed = mine.find((job) => FINISHED.has(job.status));
        if (failed && mine.every((job) => FINISHED.has(job.status))) throw new FlushJobFailed(failed);
      }
    } catch (error) {
      if (error instanceof FlushJobFailed) throw error;
      lastError = error;
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      const timeout = new DeadlineExceeded(what, options.deadlineMs);
      if (lastError !== undefined) timeout.cause = lastError;
      throw timeout;
    }
    await delay(Math.min(interval, left), options.signal);
  }
}

const ACTIVE = new Set(['new', 'queued', 'running', 'retrying']);

/** Polls system.jobs until no flush job of the table is queued or running (one a FLUSH_POLICY started, say). */
export async function waitForTableFlushesIdle(client: JobsQueryClient, options: Pick<WaitForFlushJobOptions, 'namespace' | 'table' | 'deadlineMs' | 'intervalMs' | 'signal'>): Promise<void> {
  const deadline = performance.now() + options.deadlineMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const jobs = await listFlushJobs(client);
    const active = jobs.some((job) => job.table === options.table && (job.namespace === undefined || job.namespace === options.namespace) && ACTIVE.has(job.status));
    if (!active) return;
    const left = deadline - performance.now();
    if (left <= 0) throw new DeadlineExceeded(`flush jobs of ${options.namespace}.${options.table} to finish`, options.deadlineMs);
    await delay(Math.min(options.intervalMs ?? 5, left), options.signal);
  }
}
