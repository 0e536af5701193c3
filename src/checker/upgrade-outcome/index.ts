import type { CheckerDefinition, JudgeOutput } from '../../run/seams.js';

/**
 * A release started on a data directory another release wrote must come up in a way the scenario
 * accepts (every row there, or a clear refusal naming the version), never a panic, a hang or a
 * silent loss. The upgrade nemesis records each judgement as an upgrade-outcome event.
 */
export const upgradeOutcome: CheckerDefinition = {
  name: 'upgrade-outcome',
  summary: 'an upgrade (and a downgrade) keeps every acknowledged row or refuses with an error naming the version, never a panic, a hang or a silent loss',
  judge: () => ({
    observe(event): JudgeOutput[] {
      if (event.type !== 'upgrade-outcome') return [];
      const violations = event.accepted
        ? []
        : [{ kind: 'upgrade-outcome' as const, direction: event.direction, outcome: event.outcome, accepted: [...event.acceptable], from: event.from, to: event.to, evidence: event.evidence }];
      return [{ check: 'upgrade-outcome', cycle: event.cycle, violations }];
    },
    finish: () => [],
  }),
};
