import type { CheckerDefinition, JudgeOutput } from '../../run/seams.js';
import type { CoverageGap } from '../../vocabulary/violations.js';

/**
 * Whether the run tested enough to count as a pass: each cycle acknowledged at least `minAcks`
 * writes and its fault was delivered; flush kills landed in their phase often enough. Its
 * findings are coverage gaps, never violations: a run with gaps and nothing else is inconclusive.
 */
export const coverage: CheckerDefinition = {
  name: 'coverage',
  summary: 'every cycle acknowledged writes and delivered its fault; flush kills landed where aimed',
  judge(run) {
    const { minAcks, maxMissedPhaseShare } = run.parameters;
    const acks = new Map<number, { acknowledged: number; failed: number; indeterminate: number }>();
    const landings: { cycle: number; asIntended: boolean; intended: string; landed: string }[] = [];
    let lastCycle = 0;
    return {
      observe(event): JudgeOutput[] {
        switch (event.type) {
          case 'response': {
            const counts = acks.get(event.cycle) ?? { acknowledged: 0, failed: 0, indeterminate: 0 };
            counts[event.outcome]++;
            acks.set(event.cycle, counts);
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
        const missed = landings.filter((landing) => !landing.asIntended);
        if (landings.length === 0 || missed.length / landings.length <= maxMissedPhaseShare) return [];
        const where = missed.map((landing) => `cycle ${landing.cycle}: ${landing.landed}`).join(', ');
        const detail = `${missed.length} of ${landings.length} flush kill(s) landed outside ${missed[0]!.intended} (more than ${Math.round(maxMissedPhaseShare * 100)}%): ${where}`;
        return [{ check: 'coverage', cycle: lastCycle, violations: [], gaps: [{ cycle: 0, kind: 'flush-kill-missed-phase', detail }] }];
      },
    };
  },
};
