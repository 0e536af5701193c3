import type { RequestOutcome } from '../vocabulary/events.js';
import type { OutcomeCounts, RowOutcome } from '../vocabulary/result.js';
import type { Scope } from '../vocabulary/violations.js';

export type { OutcomeCounts, RowOutcome };

export interface SentRow {
  readonly id: number;
  /** What was sent; the history keeps only ids (a payload is a pure function of the seed and the id). */
  readonly payload?: string;
}

export interface LedgerRequest extends Scope {
  readonly requestId: number;
  readonly cycle: number;
  readonly rows: readonly SentRow[];
  outcome: RowOutcome;
}

export interface ScopeRows {
  readonly scope: Scope;
  /** id → what was sent and what became of it. */
  readonly rows: ReadonlyMap<number, { payload?: string; outcome: RowOutcome; requestId: number; cycle: number }>;
}


/**
 * What the workload sent and what the server said about it, across every cycle of a run.
 * A row's outcome is its request's outcome: an INSERT statement is all-or-nothing.
 */
export interface Ledger {
  begin(request: Omit<LedgerRequest, 'outcome'>): void;
  settle(requestId: number, outcome: RequestOutcome): void;
  /** Marks every still-pending request indeterminate (the server died under it). */
  settleAllPending(): number;
  scopes(): Scope[];
  rowsIn(scope: Scope): ScopeRows;
  /** Row counts per outcome, overall or for one cycle. */
  rowCounts(cycle?: number): OutcomeCounts;
  requestCount(): number;
}

const scopeKey = (scope: Scope) => `${scope.table}\u0000${scope.partition ?? ''}`;

export function createLedger(): Ledger {
  const requests = new Map<number, LedgerRequest>();
  const scopes = new Map<string, Scope>();
  const byScope = new Map<string, Set<number>>();

  return {
    begin(request) {
      if (requests.has(request.requestId)) throw new Error(`ledger: request ${request.requestId} begun twice`);
      const entry: LedgerRequest = { ...request, outcome: 'pending' };
      requests.set(request.requestId, entry);
      const key = scopeKey(request);
      if (!scopes.has(key)) {
        scopes.set(key, { table: request.table, partition: request.partition });
        byScope.set(key, new Set());
      }
      byScope.get(key)!.add(request.requestId);
    },
    settle(requestId, outcome) {
      const entry = requests.get(requestId);
      if (!entry) throw new Error(`ledger: unknown request ${requestId}`);
      if (entry.outcome !== 'pending') throw new Error(`ledger: request ${requestId} settled twice`);
      entry.outcome = outcome;
    },
    settleAllPending() {
      let settled = 0;
      for (const entry of requests.values()) {
        if (entry.outcome === 'pending') {
          entry.outcome = 'indeterminate';
          settled++;
        }
      }
      return settled;
    },
    scopes: () => [...scopes.values()],
    rowsIn(scope) {
      const rows = new Map<number, { payload?: string; outcome: RowOutcome; requestId: number; cycle: number }>();
      for (const requestId of byScope.get(scopeKey(scope)) ?? []) {
        const entry = requests.get(requestId)!;
        for (const row of entry.rows) {
          rows.set(row.id, { ...(row.payload !== undefined ? { payload: row.payload } : {}), outcome: entry.outcome, requestId, cycle: entry.cycle });
        }
      }
      return { scope, rows };
    },
    rowCounts(cycle) {
      const counts: OutcomeCounts = { pending: 0, acknowledged: 0, failed: 0, indeterminate: 0 };
      for (const entry of requests.values()) {
        if (cycle === undefined || entry.cycle === cycle) counts[entry.outcome] += entry.rows.length;
      }
      return counts;
    },
    requestCount: () => requests.size,
  };
}
