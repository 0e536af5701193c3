/**
 * `run --rows N`: whether a campaign goes on to another cycle. The goal is judged after each
 * whole cycle (its kill comes at its seeded trigger, so the last cycle may take the count past
 * N); the bounds end a run whose server stops acknowledging, or acknowledges too slowly.
 */
import type { RowsGoal, RowsGoalStop } from '../vocabulary/result.js';

/** Without --cycles, a --rows run stops after this many cycles at most. */
export const ROWS_DEFAULT_MAX_CYCLES = 1000;
/** Without --max-minutes, no cycle of a --rows run starts after this many minutes. */
export const ROWS_DEFAULT_MAX_MINUTES = 60;
/** Cycles in a row that acknowledged no new row before a --rows run gives up. */
export const ROWS_STALL_CYCLES = 3;

export interface RowsProgress {
  /** Cycles done, the last included. */
  readonly cycle: number;
  readonly maxCycles: number;
  /** Rows acknowledged over the run so far (setup included). */
  readonly acknowledged: number;
  /** Since the run started. */
  readonly elapsedMs: number;
  /** Cycles in a row, ending with the last, that acknowledged no new row. */
  readonly idleCycles: number;
}

/** Why the run stops after this cycle, or undefined to go on. */
export function rowsGoalStop(goal: RowsGoal, progress: RowsProgress): RowsGoalStop | undefined {
  if (progress.acknowledged >= goal.rows) return 'reached';
  if (progress.idleCycles >= goal.stallCycles) return 'stalled';
  if (progress.cycle >= progress.maxCycles) return 'max-cycles';
  if (progress.elapsedMs >= goal.maxMinutes * 60_000) return 'max-minutes';
  return undefined;
}

/** The stop in words, for the coverage gap and the summary. */
export function describeRowsStop(stop: RowsGoalStop | undefined, goal: RowsGoal, maxCycles: number): string {
  switch (stop) {
    case 'reached':
      return 'the goal was reached';
    case 'stalled':
      return `${goal.stallCycles} cycles in a row acknowledged no new row`;
    case 'max-cycles':
      return `the bound of ${maxCycles} cycles (--cycles) was reached`;
    case 'max-minutes':
      return `the bound of ${goal.maxMinutes} minutes (--max-minutes) was reached`;
    case 'run-stopped':
      return 'the run stopped on its own (the target could not go on)';
    case undefined:
      return 'the run ended before it decided (an error or an interrupt)';
  }
}
