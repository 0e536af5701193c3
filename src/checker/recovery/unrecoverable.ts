import type { OutcomeCounts } from '../../vocabulary/result.js';
import type { Violation } from '../../vocabulary/violations.js';
/**
 * When a target is past testing: after a restart every table of the run is gone, or every request
 * of a cycle failed. More cycles would only pile up failed requests, so the campaign stops and
 * says why.
 */

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
