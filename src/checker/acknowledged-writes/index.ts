import { createRunFacts } from '../../history/run-facts.js';
import type { CheckerDefinition, JudgeOutput } from '../../run/seams.js';
import type { Violation } from '../../vocabulary/violations.js';
import { isAppendScope } from '../../workload/scopes.js';
import { ACKNOWLEDGED_WRITES, judgeReadBack } from './compare.js';

/**
 * After every restart each scope is read back; every acknowledged row must be there, nothing
 * never sent or cleanly refused, no id twice, payloads as sent, COUNT(*) equal to the ids.
 */
export const acknowledgedWrites: CheckerDefinition = {
  name: ACKNOWLEDGED_WRITES,
  summary: 'every acknowledged row is back after the restart, once and as sent; nothing else is; COUNT(*) agrees',
  probes: () => ({
    'after-restart': async (ctx, cycle) => {
      await ctx.workload.readBack(ctx, cycle, 'check');
    },
  }),
  judge() {
    const facts = createRunFacts();
    const open = new Map<number, { violations: Map<string, Violation[]>; stats: Record<string, number> }>();
    const emit = (cycle: number): JudgeOutput[] => {
      const judged = open.get(cycle);
      if (!judged) return [];
      open.delete(cycle);
      return [{ check: ACKNOWLEDGED_WRITES, cycle, violations: [...judged.violations.values()].flat(), stats: judged.stats }];
    };
    return {
      observe(event) {
        facts.observe(event);
        if (event.type === 'read-back' && event.purpose === 'check' && isAppendScope(event)) {
          const judged = open.get(event.cycle) ?? { violations: new Map<string, Violation[]>(), stats: {} };
          const { violations, stats } = judgeReadBack(facts.ledger.rowsIn({ table: event.table, partition: event.partition }), event);
          // A scope read twice in a cycle (before and after a corruption is undone) is judged by its last read.
          judged.violations.set(JSON.stringify([event.table, event.partition]), violations);
          for (const [key, value] of Object.entries(stats ?? {})) judged.stats[key] = (judged.stats[key] ?? 0) + value;
          open.set(event.cycle, judged);
        }
        return event.type === 'cycle-end' ? emit(event.cycle) : [];
      },
      finish: () => [...open.keys()].flatMap(emit),
    };
  },
};
