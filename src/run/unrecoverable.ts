import type { CheckResult, Scope, Violation } from '../checker/types.js';
import type { SqlClient } from '../client/sql-client.js';
import { rowsAsObjects } from '../client/responses.js';
import type { History } from '../history/history.js';
import type { OutcomeCounts } from '../workload/ledger.js';

/**
 * When a target is past testing: after a restart every table of the run is gone, or every request
 * of a cycle failed. More cycles would only pile up failed requests, so the campaign stops and
 * says why.
 */

const MAX_FAILURES_KEPT = 5;

/** A history that also keeps the first distinct error answers it records, as evidence. */
export function tapFailures(history: History): { history: History; failures(): string[] } {
  const seen: string[] = [];
  return {
    history: {
      path: history.path,
      elapsedMs: () => history.elapsedMs(),
      close: () => history.close(),
      record(event) {
        // Only answers the server gave: requests cut short by the kill say nothing about the target.
        if (event.type === 'response' && event.outcome === 'failed' && event.error && seen.length < MAX_FAILURES_KEPT) {
          const line = `${event.outcome}${event.code ? ` ${event.code}` : ''}: ${event.error}`;
          if (!seen.includes(line)) seen.push(line);
        }
        history.record(event);
      },
    },
    failures: () => [...seen],
  };
}

/** The run's tables that system.tables still lists; an error if system.tables cannot be read. */
export async function tablesPresent(client: SqlClient, namespace: string, tables: readonly string[]): Promise<{ present: string[] } | { error: string }> {
  try {
    const rows = rowsAsObjects(await client.query('SELECT * FROM system.tables LIMIT 1000'));
    const names = new Set(rows.filter((row) => row.namespace_id === namespace || row.namespace === namespace).map((row) => String(row.table_name ?? row.name)));
    return { present: tables.filter((table) => names.has(table)) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The first distinct errors of reading scopes back, as evidence. */
export function readBackFailures(checks: readonly CheckResult[]): string[] {
  const errors = checks.flatMap((check) => check.violations).flatMap((violation) => (violation.kind === 'unreadable' ? [`${violation.table}: ${violation.error}`] : []));
  return [...new Set(errors)].slice(0, MAX_FAILURES_KEPT);
}

/** Whether reading back every scope failed because its table does not exist. */
export function everyScopeNotFound(checks: readonly CheckResult[], scopes: readonly Scope[]): boolean {
  const unreadable = checks.flatMap((check) => check.violations).filter((violation) => violation.kind === 'unreadable');
  return (
    scopes.length > 0 &&
    scopes.every((scope) =>
      unreadable.some((violation) => violation.table === scope.table && violation.partition === scope.partition && /TABLE_NOT_FOUND|not found|does not exist/i.test(violation.error)),
    )
  );
}

export interface RecoveryEvidence {
  readonly cycle: number;
  readonly namespace: string;
  readonly tables: readonly string[];
  /** After this cycle's restart; undefined when the cycle did not get that far. */
  readonly afterRestart?: { present: string[] } | { error: string };
  /** Reading back every scope after the restart answered "table not found". */
  readonly everyScopeNotFound?: boolean;
  /** Rows of the cycle's workload, which ran on a restarted server when cycle > 1. */
  readonly rows: OutcomeCounts;
  readonly workloadAfterRestart: boolean;
  readonly failures: readonly string[];
}

export function judgeUnrecoverable(evidence: RecoveryEvidence): Extract<Violation, { kind: 'target-unrecoverable' }> | undefined {
  const requestsFailed = evidence.rows.failed;
  const base = { requestsFailed, failures: [...evidence.failures] };
  const after = evidence.afterRestart;
  const listsNone = after !== undefined && 'present' in after && after.present.length === 0 && evidence.tables.length > 0;
  if (listsNone || evidence.everyScopeNotFound) {
    const tablesMissing = evidence.tables.map((table) => `${evidence.namespace}.${table}`);
    const how = listsNone ? 'system.tables lists none of' : 'reading back answers "not found" for every one of';
    return { kind: 'target-unrecoverable', reason: `after the restart of cycle ${evidence.cycle} ${how} the run's ${tablesMissing.length} table(s)`, tablesMissing, ...base };
  }
  if (evidence.workloadAfterRestart && evidence.rows.acknowledged === 0 && requestsFailed > 0) {
    const tablesMissing = after && 'present' in after ? evidence.tables.filter((table) => !after.present.includes(table)).map((table) => `${evidence.namespace}.${table}`) : [];
    return {
      kind: 'target-unrecoverable',
      reason: `every request of cycle ${evidence.cycle}, on a restarted server, failed (${requestsFailed} row(s) rejected, none acknowledged)`,
      tablesMissing,
      ...base,
    };
  }
  return undefined;
}
