import type { AckLossCycle, AckLossFigures, CycleResult } from '../vocabulary/result.js';
import type { Violation } from '../vocabulary/violations.js';

export type { AckLossCycle, AckLossFigures } from '../vocabulary/result.js';

/** One violation as one cycle's checks found it (not deduplicated: a row still missing is found again). */
export interface CycleFinding {
  readonly cycle: number;
  readonly violation: Violation;
}

function share(lost: number, acknowledged: number): number | null {
  return acknowledged > 0 ? lost / acknowledged : null;
}

/**
 * Acknowledged rows lost, as figures comparable between runs. Per cycle: the acknowledged rows
 * that cycle's check found missing, against every row acknowledged up to then, and how many of
 * them were missing for the first time. In total: every acknowledged row missing at any check
 * (a row may come back at a later restart: `missingAtEnd` counts those still missing at the last
 * check), against every row acknowledged in the run.
 *
 * From each cycle's raw findings: `findings` holds one entry per cycle a `lost`
 * violation was found in (the per-cycle findings before deduplication, not result.violations,
 * whose records keep only the first cycle's ids); other kinds are ignored.
 */
export function ackLossFigures(cycles: readonly CycleResult[], findings: readonly CycleFinding[], acknowledgedInRun: number): AckLossFigures {
  const missingAt = new Map<number, Set<string>>();
  for (const finding of findings) {
    if (finding.violation.kind !== 'lost') continue;
    const { table, partition, ids } = finding.violation;
    const set = missingAt.get(finding.cycle) ?? new Set<string>();
    for (const id of ids) set.add(`${table}\u0000${partition ?? ''}\u0000${id}`);
    missingAt.set(finding.cycle, set);
  }
  const everMissing = new Set<string>();
  let soFar = acknowledgedInRun - cycles.reduce((sum, cycle) => sum + cycle.rows.acknowledged, 0);
  const perCycle = cycles.map((cycle): AckLossCycle => {
    soFar += cycle.rows.acknowledged;
    const missing = missingAt.get(cycle.cycle) ?? new Set<string>();
    let newlyLost = 0;
    for (const key of missing) {
      if (everMissing.has(key)) continue;
      everMissing.add(key);
      newlyLost++;
    }
    return { cycle: cycle.cycle, acknowledged: cycle.rows.acknowledged, acknowledgedSoFar: soFar, missing: missing.size, newlyLost, lostShare: share(missing.size, soFar) };
  });
  const last = cycles.at(-1);
  const missingAtEnd = last ? (missingAt.get(last.cycle)?.size ?? 0) : 0;
  return { cycles: perCycle, total: { acknowledged: acknowledgedInRun, lost: everMissing.size, missingAtEnd, lostShare: share(everMissing.size, acknowledgedInRun) } };
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}

/** One line: total, then each cycle as missing/acknowledged so far. */
export function describeAckLoss(figures: AckLossFigures): string {
  const { total } = figures;
  const perCycle = figures.cycles.map((cycle) => `${cycle.cycle}: ${cycle.missing}/${cycle.acknowledgedSoFar}`).join(', ');
  return (
    `acknowledged rows lost: ${total.lost}/${total.acknowledged} (${percent(total.lostShare)}), still missing at the end: ${total.missingAtEnd}` +
    (perCycle ? `  per cycle (missing/acknowledged so far) ${perCycle}` : '')
  );
}
