import type { EventOf } from '../../vocabulary/events.js';
import type { Violation } from '../../vocabulary/violations.js';
import type { ScopeRows } from '../../workload/ledger.js';

export const ACKNOWLEDGED_WRITES = 'acknowledged-writes';

export interface AcknowledgedWritesStats {
  acknowledged: number;
  present: number;
  indeterminatePresent: number;
  indeterminateAbsent: number;
  failed: number;
  [key: string]: number;
}

/** What a read-back of one scope returned: every id in order (a duplicate twice), COUNT(*), ids whose payload differs from what was sent. */
export interface ScopeReadBack {
  readonly ids: readonly number[];
  readonly countStar: number;
  readonly payloadMismatch?: readonly number[];
}

/**
 * Compares what a table partition holds with what the ledger says was sent:
 * every acknowledged id present (else lost), nothing never sent or cleanly failed (else phantom),
 * no id twice, payloads as sent, COUNT(*) equal to the distinct ids.
 */
export function compareScope(expected: ScopeRows, actual: ScopeReadBack): { violations: Violation[]; stats: AcknowledgedWritesStats } {
  const scope = expected.scope;
  const seen = new Map<number, number>();
  const neverSent: number[] = [];
  const failedPresent: number[] = [];
  const mismatched = new Set(actual.payloadMismatch ?? []);
  const payloadMismatch: number[] = [];
  const stats: AcknowledgedWritesStats = { acknowledged: 0, present: 0, indeterminatePresent: 0, indeterminateAbsent: 0, failed: 0 };

  for (const id of actual.ids) {
    const copies = (seen.get(id) ?? 0) + 1;
    seen.set(id, copies);
    if (copies > 1) continue;
    const sent = expected.rows.get(id);
    if (!sent) neverSent.push(id);
    else if (sent.outcome === 'failed') failedPresent.push(id);
    else if (mismatched.has(id)) payloadMismatch.push(id);
  }
  stats.present = seen.size;

  const lost: number[] = [];
  for (const [id, sent] of expected.rows) {
    switch (sent.outcome) {
      case 'acknowledged':
        stats.acknowledged++;
        if (!seen.has(id)) lost.push(id);
        break;
      case 'indeterminate':
      case 'pending':
        if (seen.has(id)) stats.indeterminatePresent++;
        else stats.indeterminateAbsent++;
        break;
      case 'failed':
        stats.failed++;
        break;
    }
  }

  const duplicates = [...seen].filter(([, copies]) => copies > 1).map(([id]) => id);
  const violations: Violation[] = [];
  const sorted = (ids: number[]) => ids.sort((a, b) => a - b);
  if (lost.length) violations.push({ kind: 'lost', ...scope, ids: sorted(lost) });
  if (neverSent.length) violations.push({ kind: 'phantom', ...scope, ids: sorted(neverSent), reason: 'never-sent' });
  if (failedPresent.length) violations.push({ kind: 'phantom', ...scope, ids: sorted(failedPresent), reason: 'failed-cleanly' });
  if (duplicates.length) violations.push({ kind: 'duplicate', ...scope, ids: sorted(duplicates) });
  if (payloadMismatch.length) violations.push({ kind: 'payload-mismatch', ...scope, ids: sorted(payloadMismatch) });
  if (actual.countStar !== seen.size) {
    violations.push({ kind: 'count-mismatch', ...scope, countStar: actual.countStar, distinctIds: seen.size, rowsRead: actual.ids.length });
  }
  return { violations, stats };
}

/** The reference server's code, and the real server's SQL_EXECUTION_ERROR "Table not found: ... table '...' not found". */
const TABLE_NOT_FOUND = /TABLE_NOT_FOUND|table not found|table '[^']*' not found/i;

/** One read-back event judged against the ledger as it stood when the read happened. */
export function judgeReadBack(expected: ScopeRows, readBack: EventOf<'read-back'>): { violations: Violation[]; stats?: AcknowledgedWritesStats } {
  const scope = { table: readBack.table, partition: readBack.partition };
  if (readBack.error !== undefined || readBack.ids === undefined) {
    const error = readBack.error ?? 'no rows recorded';
    const violations: Violation[] = [{ kind: 'unreadable', ...scope, error }];
    // A table that no longer exists holds none of its acknowledged rows: name them.
    if (TABLE_NOT_FOUND.test(error)) violations.push(...compareScope(expected, { ids: [], countStar: 0 }).violations.filter((violation) => violation.kind === 'lost'));
    return { violations };
  }
  return compareScope(expected, { ids: readBack.ids, countStar: readBack.countStar ?? Number.NaN, payloadMismatch: readBack.payloadMismatch ?? [] });
}
