import type { SqlClient } from '../client/sql-client.js';
import type { Ledger, ScopeRows } from '../workload/ledger.js';
import { readScope, type ScopeContents } from './read-scope.js';
import type { CheckResult, Scope, Violation } from './types.js';

export const ACKNOWLEDGED_WRITES = 'acknowledged-writes';

export interface AcknowledgedWritesStats {
  acknowledged: number;
  present: number;
  indeterminatePresent: number;
  indeterminateAbsent: number;
  failed: number;
  [key: string]: number;
}

/**
 * Compares what a table partition holds with what the ledger says was sent:
 * every acknowledged id present (else lost), nothing never sent or cleanly failed (else phantom),
 * no id twice, payloads as sent, COUNT(*) equal to the distinct ids.
 */
export function compareScope(expected: ScopeRows, actual: ScopeContents): { violations: Violation[]; stats: AcknowledgedWritesStats } {
  const scope = expected.scope;
  const seen = new Map<number, number>();
  const neverSent: number[] = [];
  const failedPresent: number[] = [];
  const payloadMismatch: number[] = [];
  const stats: AcknowledgedWritesStats = { acknowledged: 0, present: 0, indeterminatePresent: 0, indeterminateAbsent: 0, failed: 0 };

  for (const row of actual.rows) {
    const copies = (seen.get(row.id) ?? 0) + 1;
    seen.set(row.id, copies);
    if (copies > 1) continue;
    const sent = expected.rows.get(row.id);
    if (!sent) neverSent.push(row.id);
    else if (sent.outcome === 'failed') failedPresent.push(row.id);
    else if (sent.payload !== row.payload) payloadMismatch.push(row.id);
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
    violations.push({ kind: 'count-mismatch', ...scope, countStar: actual.countStar, distinctIds: seen.size, rowsRead: actual.rows.length });
  }
  return { violations, stats };
}

export interface AcknowledgedWritesCheckOptions {
  readonly client: SqlClient;
  readonly ledger: Ledger;
  /** Every scope the workload may have written, so a phantom in an unwritten scope is found too. */
  readonly scopes: readonly Scope[];
  readonly cycle: number;
  readonly pageSize: number;
}

export async function checkAcknowledgedWrites(options: AcknowledgedWritesCheckOptions): Promise<CheckResult> {
  const violations: Violation[] = [];
  const totals: Record<string, number> = {};
  for (const scope of options.scopes) {
    let contents: ScopeContents;
    try {
      contents = await readScope(options.client, scope, options.pageSize);
    } catch (error) {
      const message = (error as Error).message;
      violations.push({ kind: 'unreadable', ...scope, error: message });
      // A table that no longer exists holds none of its acknowledged rows: name them.
      // kalamdb-server 0.4.3 answers SQL_EXECUTION_ERROR "... Table not found: ..."; older builds TABLE_NOT_FOUND.
      if (message.includes('TABLE_NOT_FOUND') || message.includes('Table not found')) {
        const gone = compareScope(options.ledger.rowsIn(scope), { rows: [], countStar: 0 }).violations.filter((violation) => violation.kind === 'lost');
        violations.push(...gone);
      }
      continue;
    }
    const result = compareScope(options.ledger.rowsIn(scope), contents);
    violations.push(...result.violations);
    for (const [key, value] of Object.entries(result.stats)) totals[key] = (totals[key] ?? 0) + value;
  }
  return { check: ACKNOWLEDGED_WRITES, cycle: options.cycle, ok: violations.length === 0, violations, stats: totals };
}
