import type { EventOf } from '../../vocabulary/events.js';
import type { Violation } from '../../vocabulary/violations.js';
import { readBackIds } from '../../history/packed-ids.js';
import { ROW_OUTCOMES, type RowOutcome, type ScopeRows } from '../../workload/ledger.js';

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
  readonly ids: ArrayLike<number>;
  readonly countStar: number;
  readonly payloadMismatch?: readonly number[];
}

/**
 * Compares what a table partition holds with what the ledger says was sent, in one merge of the
 * two id-ordered lists: every acknowledged id present (else lost), nothing never sent or cleanly
 * failed (else phantom), no id twice, payloads as sent, COUNT(*) equal to the distinct ids.
 */
export function compareScope(expected: ScopeRows, actual: ScopeReadBack): { violations: Violation[]; stats: AcknowledgedWritesStats } {
  const scope = expected.scope;
  const read = inKeyOrder(actual.ids);
  const sentIds = expected.ids;
  const mismatched = new Set(actual.payloadMismatch ?? []);
  const lost: number[] = [];
  const neverSent: number[] = [];
  const failedPresent: number[] = [];
  const duplicates: number[] = [];
  const payloadMismatch: number[] = [];
  const stats: AcknowledgedWritesStats = { acknowledged: 0, present: 0, indeterminatePresent: 0, indeterminateAbsent: 0, failed: 0 };

  const sentOnly = (outcome: RowOutcome, id: number) => {
    if (outcome === 'acknowledged') {
      stats.acknowledged++;
      lost.push(id);
    } else if (outcome === 'failed') stats.failed++;
    else stats.indeterminateAbsent++;
  };
  const sentAndRead = (outcome: RowOutcome, id: number) => {
    if (outcome === 'failed') {
      stats.failed++;
      failedPresent.push(id);
      return;
    }
    if (outcome === 'acknowledged') stats.acknowledged++;
    else stats.indeterminatePresent++;
    if (mismatched.has(id)) payloadMismatch.push(id);
  };

  let next = 0;
  let position = 0;
  while (position < read.length || next < sentIds.length) {
    const id = position < read.length ? read[position]! : undefined;
    const sent = next < sentIds.length ? sentIds[next]! : undefined;
    if (id === undefined || (sent !== undefined && sent < id)) {
      sentOnly(ROW_OUTCOMES[expected.outcomes[next]!]!, sent!);
      next++;
      continue;
    }
    // Copies of one id are adjacent (NaN, which equals nothing, sorts last: its copies are the rest).
    let copies = 1;
    if (Number.isNaN(id)) copies = read.length - position;
    else while (position + copies < read.length && read[position + copies] === id) copies++;
    position += copies;
    stats.present++;
    if (copies > 1) duplicates.push(id);
    if (sent === id) {
      sentAndRead(ROW_OUTCOMES[expected.outcomes[next]!]!, id);
      next++;
    } else neverSent.push(id);
  }

  const violations: Violation[] = [];
  if (lost.length) violations.push({ kind: 'lost', ...scope, ids: lost });
  if (neverSent.length) violations.push({ kind: 'phantom', ...scope, ids: neverSent, reason: 'never-sent' });
  if (failedPresent.length) violations.push({ kind: 'phantom', ...scope, ids: failedPresent, reason: 'failed-cleanly' });
  if (duplicates.length) violations.push({ kind: 'duplicate', ...scope, ids: duplicates });
  if (payloadMismatch.length) violations.push({ kind: 'payload-mismatch', ...scope, ids: payloadMismatch });
  if (actual.countStar !== stats.present) {
    violations.push({ kind: 'count-mismatch', ...scope, countStar: actual.countStar, distinctIds: stats.present, rowsRead: actual.ids.length });
  }
  return { violations, stats };
}

/** The ids ascending: as read when the server kept ORDER BY id (it should), else a sorted copy. */
function inKeyOrder(ids: ArrayLike<number>): Float64Array {
  const values = ids instanceof Float64Array ? ids : Float64Array.from(ids);
  for (let index = 1; index < values.length; index++) {
    if (!(values[index - 1]! <= values[index]!)) return values.slice().sort();
  }
  return values;
}

/** The reference server's code, and the real server's SQL_EXECUTION_ERROR "Table not found: ... table '...' not found". */
const TABLE_NOT_FOUND = /TABLE_NOT_FOUND|table not found|table '[^']*' not found/i;

/** One read-back event judged against the ledger as it stood when the read happened. */
export function judgeReadBack(expected: ScopeRows, readBack: EventOf<'read-back'>): { violations: Violation[]; stats?: AcknowledgedWritesStats } {
  const scope = { table: readBack.table, partition: readBack.partition };
  const ids = readBack.error === undefined ? readBackIds(readBack) : undefined;
  if (readBack.error !== undefined || ids === undefined) {
    const error = readBack.error ?? 'no rows recorded';
    const violations: Violation[] = [{ kind: 'unreadable', ...scope, error }];
    // A table that no longer exists holds none of its acknowledged rows: name them.
    if (TABLE_NOT_FOUND.test(error)) violations.push(...compareScope(expected, { ids: [], countStar: 0 }).violations.filter((violation) => violation.kind === 'lost'));
    return { violations };
  }
  return compareScope(expected, { ids, countStar: readBack.countStar ?? Number.NaN, payloadMismatch: readBack.payloadMismatch ?? [] });
}
