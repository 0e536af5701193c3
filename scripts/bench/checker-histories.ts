/**
 * Synthetic histories for the workload checkers' bench: OPERATIONS operations over KEYS keys,
 * read back every OPERATIONS / CYCLES operations, generated lazily so that only what a checker
 * keeps is measured.
 */
import type { HistoryEvent } from '../../src/vocabulary/events.js';
import type { WorkloadName } from '../../src/vocabulary/scenario.js';

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

const readBack = (workload: WorkloadName, cycle: number, columns: string[], rows: (string | number)[][]): HistoryEvent => ({
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

export const CHECKER_HISTORIES: Partial<Record<WorkloadName, (shape: HistoryShape) => Generator<HistoryEvent>>> = {
  conflict: conflictHistory,
};
