import type { CheckerDefinition, JudgeOutput } from '../../run/seams.js';

/**
 * After damage to a cold-tier file the server must come back in a way the scenario accepts
 * (rebuilt or a clear refusal, by default), and something it said must show it met the damage.
 */
export const recoveryOutcome: CheckerDefinition = {
  name: 'recovery-outcome',
  summary: 'a damaged file yields an accepted outcome (a rebuild or a clear error), never a panic, a hang or a silent loss',
  judge: () => ({
    observe(event): JudgeOutput[] {
      if (event.type !== 'recovery-outcome') return [];
      const corruption = event.corruption ?? 'corruption';
      const path = event.path ?? '';
      return [
        {
          check: 'recovery-outcome',
          cycle: event.cycle,
          violations: event.accepted ? [] : [{ kind: 'recovery-outcome', outcome: event.outcome, accepted: [...(event.acceptable ?? [])], corruption, path, evidence: event.evidence }],
          gaps: event.accepted && !event.damageRead ? [{ cycle: event.cycle, kind: 'corruption-unread', detail: `nothing shows the server read ${path} after ${corruption}` }] : [],
        },
      ];
    },
    finish: () => [],
  }),
};
