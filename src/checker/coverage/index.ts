import { describeRowsStop } from '../../run/rows-goal.js';
import type { CheckerDefinition, JudgeOutput } from '../../run/seams.js';
import type { RowsGoalStop } from '../../vocabulary/result.js';
import type { CoverageGap } from '../../vocabulary/violations.js';

/**
 * Whether the run tested enough to count as a pass: each cycle acknowledged at least `minAcks`
 * writes and its fault was delivered; flush kills landed in their phase often enough; a `--rows`
 * run acknowledged its rows. Its findings are coverage gaps, never violations: a run with gaps
 * and nothing else is inconclusive.
 */
export const coverage: CheckerDefinition = {
  name: 'coverage',
  summary: 'every cycle acknowledged writes and delivered its fault; flush kills landed where aimed',
  judge(run) {
    const { minAcks, maxMissedPhaseShare, rows: rowsGoal } = run.parameters;
    const acks = new Map<number, { acknowledged: number; failed: number; indeterminate: number }>();
    const landings: { cycle: number; asIntended: boolean; intended: string; landed: string }[] = [];
    let lastCycle = 0;
    // --rows: the ledger's count of acknowledged rows (rows of unanswered requests, by request id).
    const rowsPending = new Map<number, number>();
    let rowsAcknowledged = 0;
    let rowsStop: RowsGoalStop | undefined;
    return {
      observe(event): JudgeOutput[] {
        switch (event.type) {
          case 'request':
            if (rowsGoal && event.ids.length > 0) rowsPending.set(event.requestId, event.ids.length);
            return [];
          case 'writers-stopped':
            rowsPending.clear();
            return [];
          case 'rows-goal':
            rowsStop = event.stoppedBy;
            return [];
          case 'response': {
            const counts = acks.get(event.cycle) ?? { acknowledged: 0, failed: 0, indeterminate: 0 };
            counts[event.outcome]++;
            acks.set(event.cycle, counts);
            if (event.outcome === 'acknowledged') rowsAcknowledged += rowsPending.get(event.requestId) ?? 0;
            rowsPending.delete(event.requestId);
            return [];
          }
          case 'fault':
            return event.delivered ? [] : [{ check: 'coverage', cycle: event.cycle, violations: [], gaps: [{ cycle: event.cycle, kind: 'fault-not-delivered', detail: `the ${event.fault} fault was not delivered: ${event.description}` }] }];
          case 'flush-landed':
            if (event.intended !== 'random') landings.push({ cycle: event.cycle, asIntended: event.asIntended, intended: event.intended, landed: event.landed });
            return [];
          case 'cycle-end': {
            lastCycle = event.cycle;
            const counts = acks.get(event.cycle) ?? { acknowledged: 0, failed: 0, indeterminate: 0 };
            if (counts.acknowledged >= minAcks) return [];
            const gap: CoverageGap = {
              cycle: event.cycle,
              kind: 'no-acknowledged-write',
              detail: `cycle ${event.cycle} acknowledged ${counts.acknowledged} write request(s), fewer than --min-acks ${minAcks} (${counts.failed} failed, ${counts.indeterminate} indeterminate)`,
            };
            return [{ check: 'coverage', cycle: event.cycle, violations: [], gaps: [gap] }];
          }
          default:
            return [];
        }
      },
      finish() {
        const gaps: CoverageGap[] = [];
        const missed = landings.filter((landing) => !landing.asIntended);
        if (landings.length > 0 && missed.length / landings.length > maxMissedPhaseShare) {
          const where = missed.map((landing) => `cycle ${landing.cycle}: ${landing.landed}`).join(', ');
          const detail = `${missed.length} of ${landings.length} flush kill(s) landed outside ${missed[0]!.intended} (more than ${Math.round(maxMissedPhaseShare * 100)}%): ${where}`;
          gaps.push({ cycle: 0, kind: 'flush-kill-missed-phase', detail });
        }
        if (rowsGoal && rowsAcknowledged < rowsGoal.rows) {
          const detail = `--rows ${rowsGoal.rows} asked, ${rowsAcknowledged} acknowledged after ${lastCycle} cycle(s): ${describeRowsStop(rowsStop, rowsGoal, run.parameters.cycles)}`;
          gaps.push({ cycle: 0, kind: 'rows-not-reached', detail });
        }
        return gaps.length > 0 ? [{ check: 'coverage', cycle: lastCycle, violations: [], gaps }] : [];
      },
    };
  },
};
