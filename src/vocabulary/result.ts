/** result.json's vocabulary: the verdict and what supports it. Types only. */
import type { AppliedCorruption, CacheEviction, FirstBootFinding, FlushCycleResult, KillTrigger, PowerCutSummary, ReadPath, RecoveryOutcomeName } from './faults.js';
import type { CoverageGap, Violation } from './violations.js';

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'error' | 'interrupted';

export type RowOutcome = 'acknowledged' | 'failed' | 'indeterminate' | 'pending';
export type OutcomeCounts = Record<RowOutcome, number>;

/** A corruption cycle: the damage, the restart's outcome and its evidence. */
export interface CorruptionCycleResult {
  readonly applied: AppliedCorruption;
  readonly stop: 'kill' | 'clean';
  readonly outcome: RecoveryOutcomeName;
  readonly accepted: boolean;
  readonly damageRead: boolean;
  readonly evidence: string[];
  /** The server's read paths that met the damaged scope. */
  readonly readPaths?: readonly ReadPath[];
  /** kalamdb: the damaged scope's manifest cache entry taken out of RocksDB before the restart. */
  readonly cacheEviction?: CacheEviction;
  /** After an outcome other than rebuilt: the original was put back and the server checked again. */
  readonly restored?: { readonly ok: boolean };
}

/** One checker's verdict on one cycle; its violations are in RunResult.violations, stored once. */
export interface CheckSummary {
  readonly check: string;
  readonly cycle: number;
  readonly ok: boolean;
  /** Violations this checker found in this cycle, new or persisting. */
  readonly violations: number;
  readonly stats?: Record<string, number>;
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
  /** Rows sent during this cycle, by outcome (not cumulative). */
  readonly rows: OutcomeCounts;
  readonly flush?: FlushCycleResult;
  readonly corruption?: CorruptionCycleResult;
  readonly powerCut?: PowerCutSummary;
  readonly restart?: { readonly incarnation: number; readonly readyMs: number };
  readonly checks: CheckSummary[];
  /** Why this cycle tested too little, if it did. */
  readonly gaps?: CoverageGap[];
}

/** A violation, reported once: in the cycle it first appeared and every cycle it was seen again. */
export interface ViolationRecord {
  /** V1, V2 ... in order of first appearance. */
  readonly id: string;
  /** The cycle it first appeared in. */
  readonly cycle: number;
  readonly check: string;
  readonly violation: Violation;
  /** Every cycle whose checks found it (the first included); a violation that persists lists several. */
  readonly seenInCycles: number[];
}

/** Acknowledged rows lost, per cycle and in total. */
export interface AckLossCycle {
  readonly cycle: number;
  /** Rows acknowledged during this cycle. */
  readonly acknowledged: number;
  /** Rows acknowledged up to this cycle's fault, setup included. */
  readonly acknowledgedSoFar: number;
  /** Acknowledged rows this cycle's check found missing (cumulative: a row still missing counts again). */
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

export interface TargetDescriptionRecord {
  readonly kind: string;
  readonly command: string;
  readonly auth: string;
  readonly dataDir: string;
  readonly [detail: string]: unknown;
}

/**
 * `run --rows N`: cycles go on until N rows are acknowledged in total, within bounds that end a
 * run whose server stops acknowledging (`--cycles` is then the most cycles).
 */
export interface RowsGoal {
  readonly rows: number;
  /** No cycle starts once the run is this old. */
  readonly maxMinutes: number;
  /** This many cycles in a row without a newly acknowledged row end the run. */
  readonly stallCycles: number;
}

/** Why a `--rows` run stopped cycling: the goal, or the bound that ended it first. */
export type RowsGoalStop = 'reached' | 'max-cycles' | 'max-minutes' | 'stalled' | 'run-stopped';

/** result.json `rowsGoal`: what `--rows` asked and what the run reached. */
export interface RowsGoalResult {
  readonly asked: number;
  /** Rows acknowledged over the run (totals.rows.acknowledged). */
  readonly acknowledged: number;
  readonly reached: boolean;
  readonly cycles: number;
  /** Absent when the run ended by an error or an interrupt before it decided. */
  readonly stoppedBy?: RowsGoalStop;
}

/** result.json: the run's verdict and everything needed to understand it, rebuilt from history.ndjson alone. */
export interface RunResult {
  readonly schemaVersion: 2;
  readonly tool: { readonly name: 'kalam-chaos'; readonly version: string };
  readonly scenario: string;
  readonly seed: number;
  readonly verdict: Verdict;
  readonly exitCode: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly target: TargetDescriptionRecord;
  readonly parameters: Record<string, unknown>;
  readonly schedule: KillTrigger[];
  readonly cycles: CycleResult[];
  /** Cumulative over the run (setup included). */
  /** `operations`: requests of workloads other than append (updates, deletes, DDL, reads...), by outcome. */
  readonly totals: { readonly requests: number; readonly rows: OutcomeCounts; readonly operations?: { readonly acknowledged: number; readonly failed: number; readonly indeterminate: number } };
  /** Each violation once (see ViolationRecord.seenInCycles). */
  readonly violations: ViolationRecord[];
  /** Why the run tested too little, per cycle or for the run (cycle 0); non-empty makes a clean run inconclusive. */
  readonly coverage: CoverageGap[];
  readonly error?: { readonly step: string; readonly message: string };
  readonly files: { readonly history: string; readonly servers: string[] };
  /** Power loss: what a cut right after the first boot would have lost (then settled; not a cycle violation). */
  readonly firstBoot?: FirstBootFinding;
  /** Acknowledged rows lost, per cycle and in total (runs that check acknowledged writes). */
  readonly ackLoss?: AckLossFigures;
  /** `--rows` runs: the goal and how far the run got. */
  readonly rowsGoal?: RowsGoalResult;
}
