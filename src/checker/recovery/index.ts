import { createRunFacts } from '../../history/run-facts.js';
import { rowsAsObjects } from '../../client/responses.js';
import type { CheckerDefinition, JudgeOutput } from '../../run/seams.js';
import type { EventOf } from '../../vocabulary/events.js';
import type { Violation } from '../../vocabulary/violations.js';
import { judgeUnrecoverable } from './unrecoverable.js';
import { readFailureMessage } from '../../util/tool-errors.js';

const MAX_FAILURES_KEPT = 5;
const NOT_FOUND = /TABLE_NOT_FOUND|not found|does not exist/i;

/**
 * The server comes back after every fault: a restart that does not reach readiness is
 * recovery-failed; a restarted server that lost every table, or answered no request of a cycle,
 * is target-unrecoverable (and the campaign stops: more cycles would test nothing).
 */
export const recovery: CheckerDefinition = {
  name: 'recovery',
  summary: 'the server restarts after every fault and still has its tables',
  probes: () => ({
    'after-restart': async (ctx, cycle) => {
      try {
        const rows = rowsAsObjects(await ctx.client().query('SELECT * FROM system.tables LIMIT 1000'));
        const names = new Set(rows.filter((row) => row.namespace_id === ctx.workload.namespace || row.namespace === ctx.workload.namespace).map((row) => String(row.table_name ?? row.name)));
        ctx.record({ type: 'tables-present', cycle, present: ctx.workload.tables.map((table) => table.name).filter((table) => names.has(table)) });
      } catch (error) {
        ctx.record({ type: 'tables-present', cycle, error: readFailureMessage(error, 'read of system.tables') });
      }
    },
  }),
  judge(run) {
    const { workload } = run.parameters;
    const tables = workload.tables.map((table) => table.name);
    const scopes = workload.tables.flatMap((table) =>
      table.type === 'USER' ? workload.users.map((user) => ({ table: `${workload.namespace}.${table.name}`, partition: user as string | null })) : [{ table: `${workload.namespace}.${table.name}`, partition: null }],
    );
    const facts = createRunFacts();
    const failures = new Map<number, string[]>();
    const present = new Map<number, EventOf<'tables-present'>>();
    const restarted = new Set<number>();
    return {
      observe(event): JudgeOutput[] {
        facts.observe(event);
        switch (event.type) {
          case 'response': {
            // Only answers the server gave: requests cut short by the kill say nothing about the target.
            if (event.outcome !== 'failed' || !event.error) return [];
            const seen = failures.get(event.cycle) ?? [];
            const line = `${event.outcome}${event.code ? ` ${event.code}` : ''}: ${event.error}`;
            if (seen.length < MAX_FAILURES_KEPT && !seen.includes(line)) seen.push(line);
            failures.set(event.cycle, seen);
            return [];
          }
          case 'tables-present':
            present.set(event.cycle, event);
            return [];
          case 'restart':
            restarted.add(event.cycle);
            return [];
          case 'restart-failed':
            return [{ check: 'recovery', cycle: event.cycle, violations: [{ kind: 'recovery-failed', incarnation: event.incarnation, error: event.error, stderrTail: event.stderrTail }] }];
          case 'cycle-end': {
            if (!restarted.has(event.cycle)) return [];
            const cycle = event.cycle;
            const readBacks = facts.readBacks(cycle);
            const unreadable = readBacks.filter((readBack) => readBack.error !== undefined);
            const tablesPresent = present.get(cycle);
            const verdict = judgeUnrecoverable({
              cycle,
              namespace: workload.namespace,
              tables,
              ...(tablesPresent ? { afterRestart: tablesPresent.present ? { present: tablesPresent.present } : { error: tablesPresent.error ?? '' } } : {}),
              everyScopeNotFound:
                scopes.length > 0 && scopes.every((scope) => unreadable.some((readBack) => readBack.table === scope.table && readBack.partition === scope.partition && NOT_FOUND.test(readBack.error ?? ''))),
              rows: facts.ledger.rowCounts(cycle),
              workloadAfterRestart: cycle > 1,
              failures: [...(failures.get(cycle) ?? []), ...[...new Set(unreadable.map((readBack) => `${readBack.table}: ${readBack.error}`))].slice(0, MAX_FAILURES_KEPT)],
            });
            const violations: Violation[] = verdict ? [verdict] : [];
            return [{ check: 'recovery', cycle, violations }];
          }
          default:
            return [];
        }
      },
      finish: () => [],
    };
  },
};
