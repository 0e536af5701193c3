import type { InsertWorkloadSpec } from '../workload/insert-workload.js';
import type { KillTriggerSpec } from '../nemesis/kill-trigger.js';
import type { FlushPhase } from '../nemesis/flush-phase.js';
import type { Corruption } from '../nemesis/corruption.js';
import type { RecoveryOutcome } from '../checker/recovery-outcome.js';

/** SIGKILL while writers insert, after a number of acknowledgements or a delay. */
export interface KillMidInsertNemesis {
  readonly kind: 'kill-mid-insert';
  readonly trigger: KillTriggerSpec;
  readonly signal: 'SIGKILL';
}

/** How a kill-mid-flush campaign decides the moment to kill. */
export type FlushKillPrecision =
  /** File-system events on the storage folder and system.jobs polling (black box, any machine). */
  | 'watch'
  /** The server runs under strace, which delivers SIGKILL at its Nth rename (needs ptrace). */
  | 'syscall';

/** Writers insert; after `warmup` a flush of one table is requested and the kill aims at `phase`. */
export interface KillMidFlushNemesis {
  readonly kind: 'kill-mid-flush';
  readonly warmup: KillTriggerSpec;
  readonly phase: FlushPhase;
  /** For phase 'random': the kill comes this long after the flush command, seeded. */
  readonly randomDelayMs: { readonly min: number; readonly max: number };
  readonly precision: FlushKillPrecision;
  readonly signal: 'SIGKILL';
}

/**
 * Writers insert and every table is flushed; the server is stopped (SIGKILL or clean), one file of
 * the cold tier is damaged, and the restart is judged: each cycle applies the next corruption.
 */
export interface CorruptNemesis {
  readonly kind: 'corrupt';
  readonly corruptions: readonly Corruption[];
  readonly stop: 'kill' | 'clean';
  readonly warmup: KillTriggerSpec;
  /** Outcomes that count as a pass; anything else is a violation. */
  readonly accept: readonly RecoveryOutcome[];
}

/**
 * The server's data directory is served through lossfs (a FUSE layer); at the trigger the server is
 * SIGKILLed and the layer cuts the power: only what was fsync'd (and directory entries whose
 * directory was fsync'd) stays on disk.
 */
export interface PowerLossNemesis {
  readonly kind: 'power-loss';
  readonly trigger: KillTriggerSpec;
  /** unsynced: every unsynced write is lost; torn: and the last one of each file is torn at a seeded offset. */
  readonly loss: 'unsynced' | 'torn';
  readonly signal: 'SIGKILL';
}

export type NemesisSpec = KillMidInsertNemesis | KillMidFlushNemesis | CorruptNemesis | PowerLossNemesis;

export type CheckName = 'acknowledged-writes' | 'metadata' | 'storage' | 'table-unavailable' | 'flush-stuck';

/** A scenario as declared in chaos/: plain data, interpreted by the campaign runner. */
export interface ScenarioDefinition {
  readonly name: string;
  readonly summary: string;
  readonly defaults: { readonly cycles: number; readonly writers: number };
  readonly workload: Omit<InsertWorkloadSpec, 'writers'>;
  readonly nemesis: NemesisSpec;
  readonly checks: readonly CheckName[];
}
