import type { SqlClient, SqlOutcome } from '../client/sql-client.js';
import type { HistoryEvent, RequestOutcome } from '../vocabulary/events.js';
import type { InsertWorkloadSpec, TableSpec } from '../vocabulary/scenario.js';
import { seededRandom, type Random } from '../util/random.js';
import type { SentRow } from './ledger.js';
import { createRequestIds, settledOutcome, type RequestIds } from './operations.js';

export type { InsertWorkloadSpec, TableSpec, TableType } from '../vocabulary/scenario.js';

/** Where each writer is in its deterministic sequence; carried across crash-restart cycles. */
export interface WorkloadState {
  readonly seed: number;
  readonly writers: { random: Random; rowsSent: number }[];
  readonly requestIds: RequestIds;
}

export function initialWorkloadState(spec: InsertWorkloadSpec, seed: number, requestIds: RequestIds = createRequestIds()): WorkloadState {
  const root = seededRandom(seed);
  return {
    seed,
    writers: Array.from({ length: spec.writers }, (_, index) => ({ random: root.fork(`writer-${index}`), rowsSent: 0 })),
    requestIds,
  };
}

/** `, x1 TEXT, x2 TEXT...`: the wide-table shape's extra columns. */
export function extraColumnsDdl(spec: Pick<InsertWorkloadSpec, 'extraColumns'>): string {
  return Array.from({ length: spec.extraColumns ?? 0 }, (_, index) => `, x${index + 1} TEXT`).join('');
}

export function qualifiedName(spec: InsertWorkloadSpec, table: TableSpec): string {
  return `${spec.namespace}.${table.name}`;
}

export function schemaStatements(spec: InsertWorkloadSpec): string[] {
  const statements = [`CREATE NAMESPACE IF NOT EXISTS ${spec.namespace}`];
  for (const table of spec.tables) {
    const options = [`TYPE = '${table.type}'`];
    if (table.flushPolicy) options.push(`FLUSH_POLICY = '${table.flushPolicy}'`);
    statements.push(
      `CREATE TABLE ${qualifiedName(spec, table)} (id BIGINT PRIMARY KEY, payload TEXT NOT NULL, writer INT NOT NULL${extraColumnsDdl(spec)}) ` +
        `WITH (${options.join(', ')})`,
    );
  }
  return statements;
}

/**
 * The payload of a row is a pure function of the run seed and the id, so a check can verify it:
 * `r<id>s<seed>:` and then, up to `bytes`, letters `97 + (id * 7 + i * 13) % 26`. As 2 * 13 is 26,
 * those are two letters repeated; built with repeat() it is one flat string, not a rope of
 * one-letter concatenations.
 */
export function payloadFor(seed: number, id: number, bytes: number): string {
  const head = `r${id}s${seed}:`;
  const length = bytes - head.length;
  if (length <= 0) return head;
  const pair = String.fromCharCode(97 + ((id * 7) % 26), 97 + ((id * 7 + 13) % 26));
  return head + pair.repeat(Math.ceil(length / 2)).slice(0, length);
}

/** Ids never collide across writers or cycles: writer w's n-th row is n * writers + w + 1. */
export function rowId(spec: InsertWorkloadSpec, writer: number, n: number): number {
  return n * spec.writers + writer + 1;
}

export interface WriterRunOptions {
  readonly client: SqlClient;
  readonly spec: InsertWorkloadSpec;
  readonly state: WorkloadState;
  readonly record: (event: HistoryEvent) => void;
  readonly cycle: number;
  /** Called after every acknowledged request with the number of rows it carried. */
  readonly onAcknowledged?: (rows: number) => void;
}

export interface WriterRun {
  /** Writers finish the request they are in and send no more. */
  stop(): void;
  /** Resolves when every writer has finished; never rejects. */
  readonly finished: Promise<void>;
  inFlight(): number;
  acknowledgedRequests(): number;
}

const MAX_CONSECUTIVE_FAILURES = 50;

export function startWriters(options: WriterRunOptions): WriterRun {
  let stopped = false;
  let inFlight = 0;
  let acknowledged = 0;

  async function writerLoop(writer: number): Promise<void> {
    let consecutiveFailures = 0;
    while (!stopped) {
      inFlight++;
      const { settled, outcome, rows } = await sendInsert(options, nextRequest(options.spec, options.state, writer), writer).finally(() => {
        inFlight--;
      });
      if (settled === 'acknowledged') {
        acknowledged++;
        consecutiveFailures = 0;
        options.onAcknowledged?.(rows);
      } else if (outcome.kind === 'indeterminate' || outcome.kind === 'refused') {
        return; // the server is gone or unreachable: nothing more to learn by sending
      } else if (++consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
        return;
      }
    }
  }

  const finished = Promise.all(
    Array.from({ length: options.spec.writers }, (_, writer) => writerLoop(writer).catch(() => {})),
  ).then(() => {});
  return {
    stop: () => {
      stopped = true;
    },
    finished,
    inFlight: () => inFlight,
    acknowledgedRequests: () => acknowledged,
  };
}

type InsertContext = Pick<WriterRunOptions, 'client' | 'state' | 'record' | 'cycle'>;

/** Sends one planned INSERT, with its request and response in the history. */
async function sendInsert(options: InsertContext, request: PlannedRequest, writer: number): Promise<{ settled: RequestOutcome; outcome: SqlOutcome; rows: number }> {
  const requestId = options.state.requestIds.next();
  options.record({
    type: 'request',
    cycle: options.cycle,
    requestId,
    writer,
    table: request.table,
    partition: request.partition,
    ids: request.rows.map((row) => row.id),
  });
  const started = performance.now();
  let outcome: SqlOutcome;
  try {
    outcome = await options.client.execute(request.sql, request.partition ? { asUser: request.partition } : undefined);
  } catch (error) {
    outcome = { kind: 'indeterminate', reason: `client error: ${(error as Error).message}` };
  }
  const settled = settledOutcome(outcome);
  options.record({
    type: 'response',
    cycle: options.cycle,
    requestId,
    outcome: settled,
    latencyMs: Math.round((performance.now() - started) * 10) / 10,
    ...(outcome.kind === 'error' ? { code: outcome.code, error: outcome.message } : {}),
    ...(outcome.kind === 'indeterminate' || outcome.kind === 'refused' ? { error: outcome.reason } : {}),
  });
  return { settled, outcome, rows: request.rows.length };
}

/**
 * One single-row INSERT into a chosen table and partition, recorded like any writer's (as writer 0):
 * after a corruption it makes the server touch the damaged scope on the write path too.
 */
export async function probeInsert(options: InsertContext & { spec: InsertWorkloadSpec; table: TableSpec; partition: string | null }): Promise<{ settled: RequestOutcome; outcome: SqlOutcome }> {
  const request = plannedInsert(options.spec, options.state, 0, options.table, options.partition, 1);
  const { settled, outcome } = await sendInsert(options, request, 0);
  return { settled, outcome };
}

export interface PlannedRequest {
  readonly table: string;
  readonly partition: string | null;
  readonly rows: SentRow[];
  readonly sql: string;
}

/** A writer's next INSERT in its seeded sequence (advances its cursor). */
export function nextRequest(spec: InsertWorkloadSpec, state: WorkloadState, writer: number): PlannedRequest {
  const cursor = state.writers[writer];
  if (!cursor) throw new Error(`no state for writer ${writer}`);
  const table = cursor.random.pick(spec.tables);
  const partition = table.type === 'USER' ? cursor.random.pick(spec.users) : null;
  const count = cursor.random.int(spec.rowsPerInsert.min, spec.rowsPerInsert.max);
  return plannedInsert(spec, state, writer, table, partition, count);
}

function plannedInsert(spec: InsertWorkloadSpec, state: WorkloadState, writer: number, table: TableSpec, partition: string | null, count: number): PlannedRequest {
  const cursor = state.writers[writer];
  if (!cursor) throw new Error(`no state for writer ${writer}`);
  const rows: SentRow[] = [];
  for (let i = 0; i < count; i++) {
    const id = rowId(spec, writer, cursor.rowsSent++);
    rows.push({ id, payload: payloadFor(state.seed, id, spec.payloadBytes) });
  }
  const extra = Array.from({ length: spec.extraColumns ?? 0 }, (_, index) => `x${index + 1}`);
  const extraNames = extra.map((name) => `, ${name}`).join('');
  const extraValues = extra.map((name) => `, '${name}'`).join('');
  const values = rows.map((row) => `(${row.id}, '${row.payload}', ${writer}${extraValues})`).join(', ');
  return {
    table: qualifiedName(spec, table),
    partition,
    rows,
    sql: `INSERT INTO ${qualifiedName(spec, table)} (id, payload, writer${extraNames}) VALUES ${values}`,
  };
}
