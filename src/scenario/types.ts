import type { InsertWorkloadSpec } from '../workload/insert-workload.js';
import type { KillTriggerSpec } from '../nemesis/kill-trigger.js';
import type { FlushPhase } from '../nemesis/flush-phase.js';

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

export type NemesisSpec = KillMidInsertNemesis | KillMidFlushNemesis;

export type CheckName = 'acknowledged-writes' | 'metadata' | 'storage';

/** A scenario as declared in chaos/: plain data, interpreted by the campaign runner. */
export interface ScenarioDefinition {
  readonly name: string;
  readonly summary: string;
  readonly defaults: { readonly cycles: number; readonly writers: number };
  readonly workload: Omit<InsertWorkloadSpec, 'writers'>;
  readonly nemesis: NemesisSpec;
  readonly checks: readonly CheckName[];
}
