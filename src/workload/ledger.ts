import type { RequestOutcome } from '../vocabulary/events.js';
import type { OutcomeCounts, RowOutcome } from '../vocabulary/result.js';
import type { Scope } from '../vocabulary/violations.js';
import { growableFloat64, growableInt32, growableUint8, type Growable } from '../util/growable.js';

export type { OutcomeCounts, RowOutcome };

/** A row as the writer plans it; the ledger keeps only its id (a payload is a pure function of the seed and the id). */
export interface SentRow {
  readonly id: number;
  readonly payload?: string;
}

export interface LedgerRequest extends Scope {
  readonly requestId: number;
  readonly cycle: number;
  /** The ids of the rows it carries, as its request event lists them. */
  readonly ids: readonly number[];
}

/**
 * Outcomes by code. The order is what an id sent more than once is judged by: the highest code
 * among its requests, so that one acknowledgement makes the row required and anything but a clean
 * failure makes it allowed.
 */
export const ROW_OUTCOMES: readonly RowOutcome[] = ['failed', 'indeterminate', 'pending', 'acknowledged'];
const CODE: Readonly<Record<RowOutcome, number>> = { failed: 0, indeterminate: 1, pending: 2, acknowledged: 3 };

/** Every id sent to one scope, ascending and once each, and the outcome code (ROW_OUTCOMES) of each. */
export interface ScopeRows {
  readonly scope: Scope;
  readonly ids: Float64Array;
  readonly outcomes: Uint8Array;
}

/**
 * What the workload sent and what the server said about it, across every cycle of a run.
 * A row's outcome is its request's outcome: an INSERT statement is all-or-nothing.
 */
export interface Ledger {
  begin(request: LedgerRequest): void;
  settle(requestId: number, outcome: RequestOutcome): void;
  /** Marks every still-pending request indeterminate (the server died under it). */
  settleAllPending(): number;
  scopes(): Scope[];
  rowsIn(scope: Scope): ScopeRows;
  /** Row counts per outcome, overall or for one cycle. */
  rowCounts(cycle?: number): OutcomeCounts;
  requestCount(): number;
  /** The highest request id acknowledged in a scope. */
  maxAcknowledgedRequest(scope: Scope): number | undefined;
}


/** An id is kept as `id * 4 + outcome code` while sorting, exact for ids up to this magnitude. */
const MAX_ID = 2 ** 50;
/** `step` of a request whose ids are not an arithmetic progression: `start` is then their offset in the list of such ids. */
const LISTED = -(2 ** 31);

/**
 * The ledger in typed arrays, about 30 bytes per request: a request's ids are nearly always an
 * arithmetic progression (a writer's consecutive rows), kept as start, step and count; others are
 * listed apart. Per-cycle counts and per-scope acknowledged maxima are kept as requests settle.
 */
export function createLedger(): Ledger {
  const requestIndex = createRequestIndex();
  const cycles = growableInt32();
  const outcomes = growableUint8();
  const scopeOf = growableInt32();
  const starts = growableFloat64();
  const steps = growableInt32();
  const counts = growableInt32();
  const listedIds = growableFloat64();
  const scopeList: Scope[] = [];
  /** table → partition ('' for none) → index in scopeList. */
  const scopeIndex = new Map<string, Map<string, number>>();
  const indexOfScope = (scope: Scope) => scopeIndex.get(scope.table)?.get(scope.partition ?? '');
  const requestsOfScope: Growable[] = [];
  const maxAcknowledged: (number | undefined)[] = [];
  const countsByCycle = new Map<number, OutcomeCounts>();

  const cycleCounts = (cycle: number): OutcomeCounts => {
    let entry = countsByCycle.get(cycle);
    if (!entry) countsByCycle.set(cycle, (entry = { pending: 0, acknowledged: 0, failed: 0, indeterminate: 0 }));
    return entry;
  };
  const setOutcome = (index: number, outcome: RowOutcome): void => {
    const entry = cycleCounts(cycles.at(index));
    const rows = counts.at(index);
    entry.pending -= rows;
    entry[outcome] += rows;
    outcomes.set(index, CODE[outcome]);
  };

  return {
    begin(request) {
      if (requestIndex.get(request.requestId) !== undefined) throw new Error(`ledger: request ${request.requestId} begun twice`);
      let scope = indexOfScope(request);
      if (scope === undefined) {
        scope = scopeList.length;
        const partitions = scopeIndex.get(request.table) ?? new Map<string, number>();
        scopeIndex.set(request.table, partitions.set(request.partition ?? '', scope));
        scopeList.push({ table: request.table, partition: request.partition });
        requestsOfScope.push(growableInt32());
        maxAcknowledged.push(undefined);
      }
      const ids = request.ids;
      const step = ids.length > 1 ? ids[1]! - ids[0]! : 0;
      let arithmetic = step > LISTED && step < 2 ** 31;
      for (let position = 0; position < ids.length; position++) {
        const id = ids[position]!;
        if (!Number.isSafeInteger(id) || Math.abs(id) > MAX_ID) throw new Error(`ledger: request ${request.requestId} carries id ${id}: ids must be integers of magnitude at most 2^50`);
        if (id !== ids[0]! + position * step) arithmetic = false;
      }
      const index = cycles.length;
      requestIndex.set(request.requestId, index);
      cycles.push(request.cycle);
      outcomes.push(CODE.pending);
      scopeOf.push(scope);
      counts.push(ids.length);
      if (arithmetic) {
        starts.push(ids[0] ?? 0);
        steps.push(step);
      } else {
        starts.push(listedIds.length);
        steps.push(LISTED);
        for (const id of ids) listedIds.push(id);
      }
      requestsOfScope[scope]!.push(index);
      cycleCounts(request.cycle).pending += ids.length;
    },
    settle(requestId, outcome) {
      const index = requestIndex.get(requestId);
      if (index === undefined) throw new Error(`ledger: unknown request ${requestId}`);
      if (outcomes.at(index) !== CODE.pending) throw new Error(`ledger: request ${requestId} settled twice`);
      setOutcome(index, outcome);
      if (outcome === 'acknowledged') {
        const scope = scopeOf.at(index);
        maxAcknowledged[scope] = Math.max(maxAcknowledged[scope] ?? requestId, requestId);
      }
    },
    settleAllPending() {
      let settled = 0;
      for (let index = 0; index < outcomes.length; index++) {
        if (outcomes.at(index) === CODE.pending) {
          setOutcome(index, 'indeterminate');
          settled++;
        }
      }
      return settled;
    },
    scopes: () => [...scopeList],
    rowsIn(scope) {
      const index = indexOfScope(scope);
      if (index === undefined) return { scope, ids: new Float64Array(0), outcomes: new Uint8Array(0) };
      const requests = requestsOfScope[index]!;
      let total = 0;
      for (let position = 0; position < requests.length; position++) total += counts.at(requests.at(position));
      // Sorted as `id * 4 + code`: one native numeric sort orders the ids and keeps each one's outcome.
      const keys = new Float64Array(total);
      let filled = 0;
      for (let position = 0; position < requests.length; position++) {
        const request = requests.at(position);
        const code = outcomes.at(request);
        const start = starts.at(request);
        const step = steps.at(request);
        const count = counts.at(request);
        if (step === LISTED) for (let row = 0; row < count; row++) keys[filled++] = listedIds.at(start + row) * 4 + code;
        else for (let row = 0, key = start * 4 + code; row < count; row++, key += step * 4) keys[filled++] = key;
      }
      keys.sort();
      const rowOutcomes = new Uint8Array(total);
      let distinct = 0;
      for (let position = 0; position < total; position++) {
        const key = keys[position]!;
        const id = Math.floor(key / 4);
        // Equal ids are adjacent, highest code last: it overwrites.
        if (distinct > 0 && keys[distinct - 1] === id) distinct--;
        keys[distinct] = id;
        rowOutcomes[distinct] = key - id * 4;
        distinct++;
      }
      return { scope, ids: keys.subarray(0, distinct), outcomes: rowOutcomes.subarray(0, distinct) };
    },
    rowCounts(cycle) {
      if (cycle !== undefined) return { ...(countsByCycle.get(cycle) ?? { pending: 0, acknowledged: 0, failed: 0, indeterminate: 0 }) };
      const total: OutcomeCounts = { pending: 0, acknowledged: 0, failed: 0, indeterminate: 0 };
      for (const entry of countsByCycle.values()) for (const outcome of ROW_OUTCOMES) total[outcome] += entry[outcome];
      return total;
    },
    requestCount: () => cycles.length,
    maxAcknowledgedRequest(scope) {
      const index = indexOfScope(scope);
      return index === undefined ? undefined : maxAcknowledged[index];
    },
  };
}

/** Request id → position in the ledger: a dense array for the ids a run issues (1, 2, 3...), a map for any other. */
function createRequestIndex(): { get(requestId: number): number | undefined; set(requestId: number, index: number): void } {
  const DENSE_LIMIT = 2 ** 28;
  const dense = growableInt32();
  const others = new Map<number, number>();
  const isDense = (requestId: number) => Number.isInteger(requestId) && requestId >= 0 && requestId < DENSE_LIMIT;
  return {
    get(requestId) {
      if (!isDense(requestId)) return others.get(requestId);
      // Stored as position + 1, so the zero of a fresh slot means none.
      return requestId < dense.length && dense.at(requestId) > 0 ? dense.at(requestId) - 1 : undefined;
    },
    set(requestId, index) {
      if (!isDense(requestId)) {
        others.set(requestId, index);
        return;
      }
      while (dense.length <= requestId) dense.push(0);
      dense.set(requestId, index + 1);
    },
  };
}
