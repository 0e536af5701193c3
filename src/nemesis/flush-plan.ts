import type { FlushKillFault } from '../vocabulary/faults.js';
import type { Random } from '../util/random.js';
import type { FlushPhase, LandedPhase } from './flush-phase.js';

/** One cycle's flush kill, fixed up front from the seed. */
export interface FlushCyclePlan {
  /** Unqualified name of the table to flush. */
  readonly table: string;
  /** For phase 'random': ms after the flush command's answer. */
  readonly randomDelayMs: number;
  /** For syscall precision: the server's rename (counted from its start) at which strace kills it. */
  readonly killAtRename?: number;
}

/**
 * Under strace the kill comes at the entry of a rename, which therefore does not happen. A flush
 * renames twice per scope (the segment's .tmp, then manifest.json.tmp): killing at the first leaves
 * the flush at tmp-written, at the second at segment-renamed. Other phases have no rename to aim at.
 */
export function renameToKillAt(phase: FlushPhase): number | undefined {
  if (phase === 'tmp-written') return 1;
  if (phase === 'segment-renamed') return 2;
  return undefined;
}

export function planFlushCycles(nemesis: FlushKillFault, tables: readonly string[], random: Random, cycles: number): FlushCyclePlan[] {
  return Array.from({ length: cycles }, () => {
    const table = random.pick(tables);
    const randomDelayMs = random.int(nemesis.randomDelayMs.min, nemesis.randomDelayMs.max);
    const killAtRename = nemesis.precision === 'syscall' ? renameToKillAt(nemesis.phase) : undefined;
    return { table, randomDelayMs, ...(killAtRename !== undefined ? { killAtRename } : {}) };
  });
}

const MID_FLIGHT: readonly LandedPhase[] = ['segment-renamed', 'tmp-written'];
const ORDER: readonly LandedPhase[] = ['flush-completed', 'manifest-written', 'job-running', 'before-flush'];

/**
 * A flush of a USER table visits one scope per user in turn; the kill lands in the scope that was
 * mid-flight, if any. Otherwise the furthest phase any scope reached stands for the flush.
 */
export function combineLandedPhases(phases: readonly LandedPhase[]): LandedPhase {
  for (const phase of MID_FLIGHT) if (phases.includes(phase)) return phase;
  for (const phase of ORDER) if (phases.includes(phase)) return phase;
  return 'before-flush';
}
