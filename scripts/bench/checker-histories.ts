/**
 * Synthetic histories for the workload checkers' bench: OPERATIONS operations over KEYS keys,
 * read back every OPERATIONS / CYCLES operations, generated lazily so that only what a checker
 * keeps is measured.
 */
import type { EventOf, HistoryEvent } from '../../src/vocabulary/events.js';
import type { WorkloadName } from '../../src/vocabulary/scenario.js';
import { readerId } from '../../src/workload/readers/plan.js';

export interface HistoryShape {
  readonly operations: number;
  readonly keys: number;
  readonly cycles: number;
}

const TABLE = 'chaos.bench';

function* cycleEnd(cycle: number, rows: () => HistoryEvent): Generator<HistoryEvent> {
  yield { type: 'writers-stopped', cycle, acknowledged: 0, failed: 0, indeterminate: 0 };
  yield rows();
  yield { type: 'cycle-end', cycle };
}

const readBack = (workload: WorkloadName, cycle: number, columns: string[], rows: (string | number)[][]): EventOf<'read-back'> => ({
  type: 'read-back',
  cycle,
  incarnation: cycle + 1,
  purpose: 'check',
  table: TABLE,
  partition: null,
  workload,
  ids: rows.map((row) => Number(row[0])),
  countStar: rows.length,
  columns,
  rows,
});

/** conflict: two-key statements; a statement meeting a stored key fails whole. */
export function* conflictHistory(shape: HistoryShape): Generator<HistoryEvent> {
  const owner = new Map<number, number>();
  const perCycle = Math.ceil(shape.operations / shape.cycles);
  for (let requestId = 1, cycle = 1; requestId <= shape.operations; cycle++) {
    for (const end = Math.min(shape.operations, requestId + perCycle - 1); requestId <= end; requestId++) {
      const keys = [(requestId * 7919) % shape.keys, (requestId * 104_729 + 13) % shape.keys];
      yield { type: 'request', cycle, requestId, writer: 0, table: TABLE, partition: null, ids: [], op: { workload: 'conflict', f: 'insert', keys, value: `r${requestId}` } };
      const fresh = keys[0] !== keys[1] && keys.every((key) => !owner.has(key));
      if (fresh) for (const key of keys) owner.set(key, requestId);
      yield { type: 'response', cycle, requestId, outcome: fresh ? 'acknowledged' : 'failed', latencyMs: 1 };
    }
    yield* cycleEnd(cycle, () => readBack('conflict', cycle, ['id', 'tag'], [...owner].sort((a, b) => a[0] - b[0]).map(([key, request]) => [String(key), `r${request}`])));
  }
}

/** register: 8 keys per scope (as the workload has), so 100k keys are 12.5k scopes; updates and increments, all acknowledged. */
export function* registerHistory(shape: HistoryShape): Generator<HistoryEvent> {
  const scopes = Math.ceil(shape.keys / 8);
  const value: string[] = Array.from({ length: scopes * 8 }, () => 'init');
  const counter = new Float64Array(scopes * 8);
  const sent = [0, 0, 0, 0];
  const perCycle = Math.ceil(shape.operations / shape.cycles);
  for (let requestId = 1, cycle = 1; requestId <= shape.operations; cycle++) {
    for (const end = Math.min(shape.operations, requestId + perCycle - 1); requestId <= end; requestId++) {
      const slot = (requestId * 7919) % (scopes * 8);
      const process = requestId % 4;
      const tag = `p${process}n${++sent[process]!}`;
      const increment = requestId % 2 === 0;
      yield { type: 'request', cycle, requestId, writer: process, table: TABLE, partition: `u${Math.floor(slot / 8)}`, ids: [], op: { workload: 'register', f: increment ? 'increment' : 'update', keys: [(slot % 8) + 1], value: tag } };
      value[slot] = tag;
      if (increment) counter[slot]!++;
      yield { type: 'response', cycle, requestId, outcome: 'acknowledged', latencyMs: 1, rowCount: 1 };
    }
    yield { type: 'writers-stopped', cycle, acknowledged: 0, failed: 0, indeterminate: 0 };
    for (let scope = 0; scope < scopes; scope++) {
      const rows = Array.from({ length: 8 }, (_, key) => [String(key + 1), value[scope * 8 + key]!, String(counter[scope * 8 + key])]);
      yield { ...readBack('register', cycle, ['id', 'v', 'n'], rows), partition: `u${scope}` };
    }
    yield { type: 'cycle-end', cycle };
  }
}

/** delete: INSERTs of two fresh keys and DELETEs of an acknowledged one, 2 to 1 (keys are never reused, so they outnumber 100k). */
export function* deleteHistory(shape: HistoryShape): Generator<HistoryEvent> {
  const live: number[] = [];
  let nextKey = 1;
  const perCycle = Math.ceil(shape.operations / shape.cycles);
  for (let requestId = 1, cycle = 1; requestId <= shape.operations; cycle++) {
    for (const end = Math.min(shape.operations, requestId + perCycle - 1); requestId <= end; requestId++) {
      if (requestId % 3 === 0 && live.length > 0) {
        const index = (requestId * 7919) % live.length;
        const key = live[index]!;
        live[index] = live[live.length - 1]!;
        live.pop();
        yield { type: 'request', cycle, requestId, writer: 0, table: TABLE, partition: null, ids: [], op: { workload: 'delete', f: 'delete', keys: [key] } };
      } else {
        const keys = [nextKey++, nextKey++];
        live.push(...keys);
        yield { type: 'request', cycle, requestId, writer: 0, table: TABLE, partition: null, ids: [], op: { workload: 'delete', f: 'insert', keys } };
      }
      yield { type: 'response', cycle, requestId, outcome: 'acknowledged', latencyMs: 1, rowCount: 1 };
    }
    const ids = [...live].sort((a, b) => a - b);
    yield* cycleEnd(cycle, () => ({ ...readBack('delete', cycle, ['id'], ids.map((id) => [String(id)])), tombstones: [] }));
  }
}

/** readers: one-row INSERTs of dense ids (one writer) beside reads of the last 10 ids, 1 to 9. */
export function* readersHistory(shape: HistoryShape): Generator<HistoryEvent> {
  const table = 'chaos.read_rows';
  let written = 0;
  const perCycle = Math.ceil(shape.operations / shape.cycles);
  for (let requestId = 1, cycle = 1; requestId <= shape.operations; cycle++) {
    for (const end = Math.min(shape.operations, requestId + perCycle - 1); requestId <= end; requestId++) {
      if (requestId % 10 === 0 || written === 0) {
        const id = readerId(0, written++);
        yield { type: 'request', cycle, requestId, writer: 0, table, partition: null, ids: [], op: { workload: 'readers', f: 'insert', keys: [id] } };
        yield { type: 'response', cycle, requestId, outcome: 'acknowledged', latencyMs: 1, rowCount: 1 };
      } else {
        const high = readerId(0, written);
        const low = Math.max(readerId(0, 0), high - 10);
        yield { type: 'request', cycle, requestId, writer: 1, table, partition: null, ids: [], op: { workload: 'readers', f: 'read', keys: [low, high] } };
        const rows = Array.from({ length: high - low }, (_, offset) => [String(low + offset)]);
        yield { type: 'response', cycle, requestId, outcome: 'acknowledged', latencyMs: 1, rowCount: rows.length, rows };
      }
    }
    const ids = Array.from({ length: written }, (_, n) => readerId(0, n));
    yield* cycleEnd(cycle, () => ({ ...readBack('readers', cycle, ['id'], ids.map((id) => [String(id)])), table }));
  }
}

export interface CheckerHistory {
  readonly events: (shape: HistoryShape) => Generator<HistoryEvent>;
  /** The distinct keys the history writes. */
  readonly keys: (shape: HistoryShape) => number;
}

export const CHECKER_HISTORIES: Partial<Record<WorkloadName, CheckerHistory>> = {
  conflict: { events: conflictHistory, keys: (shape) => shape.keys },
  register: { events: registerHistory, keys: (shape) => Math.ceil(shape.keys / 8) * 8 },
  // Every third operation deletes; the others insert two fresh keys.
  delete: { events: deleteHistory, keys: (shape) => 2 * (shape.operations - Math.floor(shape.operations / 3)) },
  // Every tenth operation inserts one id; the others read.
  readers: { events: readersHistory, keys: (shape) => Math.floor(shape.operations / 10) + 1 },
};
