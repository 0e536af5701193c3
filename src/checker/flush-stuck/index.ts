import type { CampaignContext, CheckerDefinition, JudgeOutput } from '../../run/seams.js';
import { judgeReadBack } from '../acknowledged-writes/compare.js';
import type { Violation } from '../../vocabulary/violations.js';
import { DEFAULT_FLUSH_DEADLINE_MS, FLUSH_STUCK, flushToCompletion, hotness } from './liveness.js';

/** After a restart every table with hot rows is flushed and its job followed to completion. */
async function flushHotTables(ctx: CampaignContext, cycle: number): Promise<void> {
  const { workload, facts } = ctx;
  for (const table of workload.tables) {
    const scopes = workload.scopesOf(table);
    const acknowledgedHot = hotness(facts.maxAcknowledgedRequest(scopes), facts.flushMark(table.name), table.flushPolicy !== undefined);
    if (acknowledgedHot === 'none') continue;
    // Acknowledged rows this cycle found lost are not in the hot tier either: `no pending writes` is then no evidence of a stuck flush.
    const name = workload.qualifiedName(table);
    const lostHere = facts
      .readBacks(cycle)
      .filter((readBack) => readBack.table === name)
      .some((readBack) => judgeReadBack(facts.ledger.rowsIn({ table: readBack.table, partition: readBack.partition }), readBack).violations.some((violation) => violation.kind === 'lost'));
    const commandBefore = facts.nextRequestId();
    ctx.setStep(`cycle ${cycle}: flush ${table.name} after the restart`);
    const outcome = await flushToCompletion({
      client: ctx.client(),
      namespace: workload.namespace,
      table: table.name,
      hot: lostHere ? 'maybe' : acknowledgedHot,
      deadlineMs: ctx.config.flushDeadlineMs ?? DEFAULT_FLUSH_DEADLINE_MS,
      readySinceMs: ctx.readyAtEpochMs(),
      cycle,
      incarnation: ctx.incarnation(),
      record: (event) => ctx.record(event),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    if (outcome.ok && outcome.completed) ctx.record({ type: 'flush-mark', cycle, table: table.name, commandBefore, completedBefore: facts.nextRequestId() });
  }
}

export const flushStuck: CheckerDefinition = {
  name: FLUSH_STUCK,
  summary: 'after a restart a flush of a table with hot rows is accepted and completes within the deadline',
  probes: () => ({ 'after-restart': flushHotTables }),
  judge() {
    const open = new Map<number, { violations: Violation[]; flushed: number; completed: number }>();
    const emit = (cycle: number): JudgeOutput[] => {
      const found = open.get(cycle);
      open.delete(cycle);
      return found ? [{ check: FLUSH_STUCK, cycle, violations: found.violations, stats: { flushed: found.flushed, completed: found.completed } }] : [];
    };
    return {
      observe(event) {
        if (event.type === 'flush-liveness') {
          const found = open.get(event.cycle) ?? { violations: [], flushed: 0, completed: 0 };
          found.flushed++;
          if (event.completed) found.completed++;
          if (!event.ok && event.violation) found.violations.push(event.violation);
          open.set(event.cycle, found);
        }
        return event.type === 'cycle-end' ? emit(event.cycle) : [];
      },
      finish: () => [...open.keys()].flatMap(emit),
    };
  },
};
