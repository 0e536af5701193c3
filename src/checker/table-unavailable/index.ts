import type { CheckerDefinition, JudgeOutput } from '../../run/seams.js';
import { createTableAvailabilityLog, TABLE_UNAVAILABLE } from './log.js';

/** An existing table the restarted server called "not found", or whose every write it refused, for a whole incarnation. */
export const tableUnavailable: CheckerDefinition = {
  name: TABLE_UNAVAILABLE,
  summary: 'every table of the run is served by every incarnation',
  judge() {
    const log = createTableAvailabilityLog();
    const reported = new Set<string>();
    let lastCycle = 0;
    const fresh = (cycle: number, final: boolean): JudgeOutput => {
      const found = log.findings({ final }).filter((finding) => !reported.has(finding.key));
      for (const finding of found) reported.add(finding.key);
      return { check: TABLE_UNAVAILABLE, cycle, violations: found.map((finding) => finding.violation) };
    };
    return {
      observe(event) {
        log.observe(event);
        if (event.type !== 'cycle-end') return [];
        lastCycle = event.cycle;
        return [fresh(event.cycle, false)];
      },
      // At the end every incarnation has ended, the last included.
      finish: () => {
        const last = fresh(lastCycle, true);
        return last.violations.length > 0 ? [last] : [];
      },
    };
  },
};
