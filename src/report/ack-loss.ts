import type { CycleResult, ViolationRecord } from './result.js';

/**
 * Acknowledged rows lost, as comparable figures: per cycle, the rows found missing for the first
 * time at that cycle's check, against the rows acknowledged during that cycle; in total, every
 * acknowledged row found missing at any check, against every row acknowledged in the run.
 */
export interface AckLossFigures {
  readonly cycles: { readonly cycle: number; readonly acknowledged: number; readonly lost: number; readonly lostShare: number | null }[];
  readonly total: { readonly acknowledged: number; readonly lost: number; readonly lostShare: number | null };
}

function share(lost: number, acknowledged: number): number | null {
  return acknowledged > 0 ? lost / acknowledged : null;
}

export function ackLossFigures(cycles: readonly CycleResult[], violations: readonly ViolationRecord[], acknowledgedInRun: number): AckLossFigures {
  const seen = new Set<string>();
  const lostAt = new Map<number, number>();
  for (const record of violations) {
    if (record.violation.kind !== 'lost') continue;
    const { table, partition, ids } = record.violation;
    for (const id of ids) {
      const key = `${table}\u0000${partition ?? ''}\u0000${id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lostAt.set(record.cycle, (lostAt.get(record.cycle) ?? 0) + 1);
    }
  }
  return {
    cycles: cycles.map((cycle) => {
      const lost = lostAt.get(cycle.cycle) ?? 0;
      return { cycle: cycle.cycle, acknowledged: cycle.rows.acknowledged, lost, lostShare: share(lost, cycle.rows.acknowledged) };
    }),
    total: { acknowledged: acknowledgedInRun, lost: seen.size, lostShare: share(seen.size, acknowledgedInRun) },
  };
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}

/** One line: total, then each cycle as lost/acknowledged. */
export function describeAckLoss(figures: AckLossFigures): string {
  const { total } = figures;
  const perCycle = figures.cycles.map((cycle) => `${cycle.cycle}: ${cycle.lost}/${cycle.acknowledged}`).join(', ');
  return `acknowledged rows lost: ${total.lost}/${total.acknowledged} (${percent(total.lostShare)})` + (perCycle ? `  per cycle (lost/acknowledged) ${perCycle}` : '');
}
