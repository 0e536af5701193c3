import type { CheckResult, Violation } from '../checker/types.js';
import type { KillTrigger } from '../nemesis/kill-trigger.js';
import type { FlushPhase, LandedPhase } from '../nemesis/flush-phase.js';
import type { FlushKillOutcome } from '../nemesis/flush-kill.js';
import type { FlushCyclePlan } from '../nemesis/flush-plan.js';
import type { AppliedCorruption } from '../nemesis/corruption.js';
import type { CacheEviction } from '../nemesis/manifest-cache.js';
import type { ReadPath } from '../checker/manifest-read-path.js';
import type { RecoveryOutcome } from '../checker/recovery-outcome.js';
import type { PowerCutReport } from '../power-loss/lossfs.js';
export type { StorageInspectionMoment } from '../checker/types.js';
import type { TargetDescription } from '../target/types.js';
import type { OutcomeCounts } from '../workload/ledger.js';
import type { FirstBootFinding } from '../power-loss/first-boot.js';
import type { AckLossFigures } from './ack-loss.js';

export const RESULT_SCHEMA_VERSION = 1;

export type Verdict = 'pass' | 'fail' | 'error' | 'interrupted';

/** Exit codes CI can trust: 0 all checks held, 1 a violation, 2 usage or setup error, 130/143 interrupted. */
export const EXIT_CODES = { pass: 0, fail: 1, error: 2, interruptedBySigint: 130, interruptedBySigterm: 143 } as const;

/** A kill-mid-flush cycle: what was aimed at, how the kill was delivered, where it landed. */
export interface FlushCycleResult extends FlushCyclePlan, FlushKillOutcome {
  readonly intended: FlushPhase;
  readonly precision: 'watch' | 'syscall';
  /** Scope folders of the table, relative to the data directory. */
  readonly scopes: readonly string[];
  /** Read from the disk right after the kill, before the restart. */
  readonly landedOnDisk?: LandedPhase;
  readonly jobStatusAfterRestart?: string;
  /** Final classification: the disk, corrected by the job's state after restart. */
  readonly landed?: LandedPhase;
  readonly asIntended?: boolean;
}

export function describeFlushKill(flush: FlushCycleResult): string {
  const how =
    flush.trigger === 'flush-finished' || flush.trigger === 'deadline'
      ? `(trigger for ${flush.intended} missed: ${flush.trigger})`
      : `at ${flush.intended} (${flush.trigger}${flush.observed ? `: ${flush.observed}` : ''})`;
  return `during flush of ${flush.table} ${how}`;
}

/** A corruption cycle: the damage, the restart's outcome and its evidence. */
export interface CorruptionCycleResult {
  readonly applied: AppliedCorruption;
  readonly stop: 'kill' | 'clean';
  readonly outcome: RecoveryOutcome;
  readonly accepted: boolean;
  readonly damageRead: boolean;
  readonly evidence: string[];
  /** The server's read paths that met the damaged scope (src/checker/manifest-read-path.ts). */
  readonly readPaths?: readonly ReadPath[];
  /** kalamdb: the damaged scope's manifest cache entry taken out of RocksDB before the restart. */
  readonly cacheEviction?: CacheEviction;
  /** After an outcome other than rebuilt: the original was put back and the server checked again. */
  readonly restored?: { readonly ok: boolean };
}

/** What a power cut took: files cut back to their last fsync, directory entries undone. */
export interface PowerCutSummary {
  readonly loss: string;
  readonly seed: number;
  readonly filesCut: { readonly path: string; readonly droppedBytes: number; readonly syncedSize: number; readonly sizeBeforeCut: number | null; readonly tornAt?: number }[];
  readonly entriesUndone: string[];
}

export function summarizePowerCut(report: PowerCutReport): PowerCutSummary {
  return {
    loss: report.loss,
    seed: report.seed,
    filesCut: report.files
      .filter((file) => file.droppedBytes > 0)
      .map((file) => ({ path: file.path, droppedBytes: file.droppedBytes, syncedSize: file.syncedSize, sizeBeforeCut: file.sizeBeforeCut, ...(file.tornAt !== undefined ? { tornAt: file.tornAt } : {}) })),
    entriesUndone: report.entries.map((entry) => `${entry.op} ${entry.path}`),
  };
}

export interface CycleResult {
  readonly cycle: number;
  readonly trigger: KillTrigger;
  /** What actually happened at the fault. */
  readonly fault?: {
    readonly signal: string;
    readonly acksThisCycle: number;
    readonly inFlight: number;
    readonly atMs: number;
    /** False when the server had already exited by itself before the trigger. */
    readonly delivered: boolean;
  };
  readonly rows: OutcomeCounts;
  readonly flush?: FlushCycleResult;
  readonly corruption?: CorruptionCycleResult;
  readonly powerCut?: PowerCutSummary;
  readonly restart?: { readonly incarnation: number; readonly readyMs: number };
  readonly checks: CheckResult[];
  /** Set when the cycle could not test anything (no write was acknowledged): why. */
  readonly testedNothing?: string;
}

export interface ViolationRecord {
  readonly cycle: number;
  readonly check: string;
  readonly violation: Violation;
}

/** result.json: the run's verdict and everything needed to understand it. */
export interface RunResult {
  readonly schemaVersion: typeof RESULT_SCHEMA_VERSION;
  readonly tool: { readonly name: 'kalam-chaos'; readonly version: string };
  readonly scenario: string;
  readonly seed: number;
  readonly verdict: Verdict;
  readonly exitCode: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly target: TargetDescription;
  readonly parameters: Record<string, unknown>;
  readonly schedule: KillTrigger[];
  readonly cycles: CycleResult[];
  readonly totals: { readonly requests: number; readonly rows: OutcomeCounts };
  readonly violations: ViolationRecord[];
  readonly error?: { readonly step: string; readonly message: string };
  readonly files: { readonly history: string; readonly servers: string[] };
  /** Power loss: what a cut right after the first boot would have lost (then settled; not a cycle violation). */
  readonly firstBoot?: FirstBootFinding;
  /** Acknowledged rows lost, per cycle and in total (runs that check acknowledged writes). */
  readonly ackLoss?: AckLossFigures;
}
