import type { CheckerDefinition, JudgeOutput } from '../../run/seams.js';

/** The server stays up while nobody is killing it, and answers writes during every cycle. */
export const availability: CheckerDefinition = {
  name: 'availability',
  summary: 'no exit nobody asked for; writes answered during every cycle',
  judge: () => ({
    observe(event): JudgeOutput[] {
      if (event.type === 'unexpected-exit') {
        return [{ check: 'availability', cycle: event.cycle, violations: [{ kind: 'server-crashed', incarnation: event.incarnation, exitCode: event.exitCode, signal: event.signal, stderrTail: event.stderrTail }] }];
      }
      if (event.type === 'writers-gave-up') {
        return [
          {
            check: 'availability',
            cycle: event.cycle,
            violations: [{ kind: 'unavailable', detail: `every writer gave up after ${event.acksThisCycle} acknowledged inserts (see history.ndjson responses of cycle ${event.cycle})` }],
          },
        ];
      }
      return [];
    },
    finish: () => [],
  }),
};
