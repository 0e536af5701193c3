import type { CycleResult, ViolationRecord } from './result.js';

/**
 * Acknowledged rows lost, as figures comparable between runs. Per cycle: the acknowledged rows
 * that cycle's check found missing, against every row acknowledged up to then, and how many of
 * them were missing for the first time. In total: every acknowledged row missing at any check
 * (a row may come back at a later restart: `missingAtEnd` counts those still missing at the last
 * check), against every row acknowledged in the run.
 */
export interface AckLossCycle {
  readonly cycle: number;
  /** Rows acknowledged during this cycle. */
  readonly acknowledged: number;
  /** Rows acknowledged up to this cycle's fault, setup included. */
  readonly acknowledgedSoFar: number;
  /** Acknowledged rows this cycle's check found missing. */
  readonly missing: number;
  /** Of those, missing for the first time. */
  readonly newlyLost: number;
  /** missing / acknowledgedSoFar. */
  readonly lostShare: number | null;
}

export interface AckLossFigures {
  readonly cycles: AckLossCycle[];
  readonly total: { readonly acknowledged: number; readonly lost: number; readonly missingAtEnd: number; readonly lostShare: number | null };
}

function share(lost: number, acknowledged: number): number | null {
  return acknowledged > 0 ? lost / acknowledged : null;
}

export function ackLossFigures(cycles: readonly CycleResult[], violations: readonly ViolationRecord[], acknowledgedInRun: number): AckLossFigures {
  const missingAt = new Map<number, Set<string>>();
  for (const record of violations) {
    if (record.violation.kind !== 'lost') continue;
    const { table, partition, ids } = record.violation;
    const set = missingAt.get(record.cycle) ?? new Set<string>();
    for (const id of ids) set.add(`${table}\u0000${partition ?? ''}\u0000${id}`);
    missingAt.set(record.cycle, set);
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
