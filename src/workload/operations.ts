import type { SqlClient, SqlOutcome } from '../client/sql-client.js';
import { createAckCounter } from '../nemesis/kill-trigger.js';
import type { RequestIds, Traffic } from '../run/seams.js';
import type { Cell, HistoryEvent, OperationRecord, RequestOutcome } from '../vocabulary/events.js';

export type { RequestIds };

export function createRequestIds(): RequestIds {
  let next = 1;
  return { next: () => next++ };
}

/** One operation as a workload plans it: the SQL, and what the history says it does. */
export interface PlannedOperation {
  readonly table: string;
  readonly partition: string | null;
  readonly op: OperationRecord;
  /**
   * The statement; as a function, it is given a tag unique to this request (`r<requestId>`),
   * which also becomes `op.value`: rows written by it can be traced back to it.
   */
  readonly sql: string | ((tag: string) => string);
  /** Keep the rows the server answers in the response event (reads). */
  readonly keepRows?: boolean;
}

export interface SentOperation {
  readonly requestId: number;
  readonly settled: RequestOutcome;
  readonly outcome: SqlOutcome;
}

export interface OperationContext {
  readonly client: SqlClient;
  readonly record: (event: HistoryEvent) => void;
  readonly cycle: number;
  readonly requestIds: RequestIds;
}

/** The request a tag of `sendOperation` names, or undefined for any other text. */
export function requestOfTag(tag: unknown): number | undefined {
  if (typeof tag !== 'string' || tag.charCodeAt(0) !== 114 /* r */) return undefined;
  const id = Number(tag.slice(1));
  return Number.isInteger(id) && id > 0 ? id : undefined;
}

export function settledOutcome(outcome: SqlOutcome): RequestOutcome {
  switch (outcome.kind) {
    case 'success':
      return 'acknowledged';
    case 'error':
    case 'refused':
      return 'failed';
    case 'indeterminate':
      return 'indeterminate';
  }
}

/** Sends one operation, with its request and response in the history. */
export async function sendOperation(ctx: OperationContext, process: number, planned: PlannedOperation): Promise<SentOperation> {
  const requestId = ctx.requestIds.next();
  const tag = `r${requestId}`;
  const sql = typeof planned.sql === 'string' ? planned.sql : planned.sql(tag);
  const op = typeof planned.sql === 'string' ? planned.op : { ...planned.op, value: tag };
  ctx.record({ type: 'request', cycle: ctx.cycle, requestId, writer: process, table: planned.table, partition: planned.partition, ids: [], op });
  const started = performance.now();
  let outcome: SqlOutcome;
  try {
    outcome = await ctx.client.execute(sql, planned.partition ? { asUser: planned.partition } : undefined);
  } catch (error) {
    outcome = { kind: 'indeterminate', reason: `client error: ${(error as Error).message}` };
  }
  const settled = settledOutcome(outcome);
  const first = outcome.kind === 'success' ? outcome.results[outcome.results.length - 1] : undefined;
  ctx.record({
    type: 'response',
    cycle: ctx.cycle,
    requestId,
    outcome: settled,
    latencyMs: Math.round((performance.now() - started) * 10) / 10,
    ...(first ? { rowCount: first.row_count } : {}),
    ...(first && planned.keepRows ? { rows: (first.rows ?? []) as Cell[][] } : {}),
    ...(outcome.kind === 'error' ? { code: outcome.code, error: outcome.message } : {}),
    ...(outcome.kind === 'indeterminate' || outcome.kind === 'refused' ? { error: outcome.reason } : {}),
  });
  return { requestId, settled, outcome };
}

const MAX_CONSECUTIVE_FAILURES = 50;

export interface ProcessesOptions {
  readonly ctx: OperationContext;
  readonly processes: number;
  /** The process's next operation; undefined ends that process. */
  next(process: number): PlannedOperation | undefined | Promise<PlannedOperation | undefined>;
  /** What the workload learns from an answer (which keys now exist, say). */
  settled?(process: number, planned: PlannedOperation, sent: SentOperation): void;
  /** Whether an acknowledged operation counts toward the cycle's acknowledgements (reads do not). */
  counts?(planned: PlannedOperation): boolean;
}

/**
 * Concurrent processes, each sending one operation at a time until stopped. A process stops by
 * itself when the server is gone (indeterminate, refused) or after 50 failures in a row.
 */
export function startProcesses(options: ProcessesOptions): Traffic {
  const acks = createAckCounter();
  let stopped = false;
  let inFlight = 0;
  async function loop(process: number): Promise<void> {
    let failures = 0;
    while (!stopped) {
      const planned = await options.next(process);
      if (!planned || stopped) return;
      inFlight++;
      const sent = await sendOperation(options.ctx, process, planned).finally(() => {
        inFlight--;
      });
      options.settled?.(process, planned, sent);
      if (sent.settled === 'acknowledged') {
        failures = 0;
        if (options.counts?.(planned) ?? true) acks.add(1);
      } else if (sent.outcome.kind === 'indeterminate' || sent.outcome.kind === 'refused') {
        return;
      } else if (++failures >= MAX_CONSECUTIVE_FAILURES) {
        return;
      }
    }
  }
  const finished = Promise.all(Array.from({ length: options.processes }, (_, process) => loop(process).catch(() => {}))).then(() => {});
  return {
    stop: () => {
      stopped = true;
    },
    finished,
    inFlight: () => inFlight,
    acks,
  };
}

/** Several workloads' traffic as one: stopped together, acknowledgements summed. */
export function combineTraffic(parts: readonly Traffic[]): Traffic {
  if (parts.length === 1) return parts[0]!;
  const acks = createAckCounter();
  for (const part of parts) {
    let seen = 0;
    const follow = (): void => {
      void part.acks.reached(seen + 1).then(() => {
        const now = part.acks.value();
        acks.add(now - seen);
        seen = now;
        follow();
      });
    };
    follow();
  }
  return {
    stop: () => parts.forEach((part) => part.stop()),
    finished: Promise.all(parts.map((part) => part.finished)).then(() => {}),
    inFlight: () => parts.reduce((sum, part) => sum + part.inFlight(), 0),
    acks,
  };
}
