/** The vocabulary of faults: what a scenario asks for and what a fault did. Types only. */

/** How a scenario wants kill moments chosen; each cycle draws its own value from the seed. */
export type KillTriggerSpec =
  | { readonly kind: 'acks'; readonly min: number; readonly max: number }
  | { readonly kind: 'delay'; readonly minMs: number; readonly maxMs: number };

/** The concrete moment of one cycle's kill. */
export type KillTrigger =
  | { readonly kind: 'after-acks'; readonly acks: number }
  | { readonly kind: 'after-delay'; readonly ms: number };

/** The moment of a flush at which a scenario intends to kill the server. */
export type FlushPhase = 'job-running' | 'tmp-written' | 'segment-renamed' | 'manifest-written' | 'hot-deleting' | 'random';

/** Where the kill actually landed, as far as the disk (and the jobs table) can tell. */
export type LandedPhase = 'before-flush' | 'job-running' | 'tmp-written' | 'segment-renamed' | 'manifest-written' | 'flush-completed';

/** How a kill-mid-flush campaign decides the moment to kill. */
export type FlushKillPrecision =
  /** File-system events on the storage folder and system.jobs polling (black box, any machine). */
  | 'watch'
  /** The server runs under strace, which delivers SIGKILL at its Nth rename (needs ptrace). */
  | 'syscall';

export type FlushKillTrigger = 'file-event' | 'wal-write' | 'job-state' | 'delay' | 'syscall' | 'flush-finished' | 'deadline';

export interface FlushKillOutcome {
  /** 'server-exit' when the server was gone before we killed it (a syscall kill, or a crash). */
  readonly ended: 'killed' | 'server-exit';
  readonly trigger: FlushKillTrigger;
  readonly jobId?: string;
  readonly flushMessage?: string;
  /** ms from the flush command's answer to the kill (or to the server's exit). */
  readonly afterFlushMs: number;
  /** ms from the triggering observation (file event, job poll) to the signal, when there was one. */
  readonly triggerLatencyMs?: number;
  /** What the watch saw, for the history. */
  readonly observed?: string;
}

/** One cycle's flush kill, fixed up front from the seed. */
export interface FlushCyclePlan {
  /** Unqualified name of the table to flush. */
  readonly table: string;
  /** For phase 'random': ms after the flush command's answer. */
  readonly randomDelayMs: number;
  /** For syscall precision: the server's rename (counted from its start) at which strace kills it. */
  readonly killAtRename?: number;
}

/** A kill-mid-flush cycle: what was aimed at, how the kill was delivered, where it landed. */
export interface FlushCycleResult extends FlushCyclePlan, FlushKillOutcome {
  readonly intended: FlushPhase;
  readonly precision: FlushKillPrecision;
  /** Scope folders of the table, relative to the data directory. */
  readonly scopes: readonly string[];
  /** Read from the disk right after the kill, before the restart. */
  readonly landedOnDisk?: LandedPhase;
  readonly jobStatusAfterRestart?: string;
  /** Final classification: the disk, corrected by the job's state after restart. */
  readonly landed?: LandedPhase;
  readonly asIntended?: boolean;
}

export type ManifestCorruption =
  | 'truncate'
  | 'zero-range'
  | 'invalid-json'
  | 'delete'
  | 'bit-flip'
  | 'drop-segment'
  | 'missing-file-segment'
  | 'duplicate-segment'
  | 'rollback'
  | 'row-count'
  | 'size-bytes'
  | 'empty';
export type ParquetCorruption = 'truncate' | 'footer' | 'data-page' | 'delete' | 'orphan';
export type Corruption = { readonly file: 'manifest'; readonly kind: ManifestCorruption } | { readonly file: 'parquet'; readonly kind: ParquetCorruption };

/** What was done to which file, with enough to undo it and to prove it. */
export interface AppliedCorruption {
  readonly corruption: Corruption;
  /** The damaged file, relative to the data directory. */
  readonly path: string;
  readonly detail: string;
  readonly sha256Before: string | null;
  readonly sha256After: string | null;
  /** The original, relative to the run folder; null when the file did not exist (an added orphan). */
  readonly original: string | null;
}

export type CacheEviction =
  | { readonly done: true; readonly key: string; readonly entryExisted: boolean; readonly pendingIndex: boolean }
  | { readonly done: false; readonly key: string; readonly reason: string };

export interface ReadPath {
  readonly path: string;
  /** Whether this path reads the damaged file itself (a directory scan goes around manifest.json). */
  readonly readsFile: boolean;
  readonly line: string;
}

/** What a power cut took: files cut back to their last fsync, directory entries undone. */
export interface PowerCutSummary {
  readonly loss: string;
  readonly seed: number;
  readonly filesCut: { readonly path: string; readonly droppedBytes: number; readonly syncedSize: number; readonly sizeBeforeCut: number | null; readonly tornAt?: number }[];
  readonly entriesUndone: string[];
}

/**
 * What a power cut right after the first boot (server start, schema, users) would have lost: the
 * names never made durable by an fsync of their directory, and contents never fsync'd.
 */
export interface FirstBootFinding {
  /** True when a cut at that moment would have lost something. */
  readonly wouldLoseData: boolean;
  /** Topmost names a cut would have removed, relative to the data directory; a directory takes its contents with it. */
  readonly namesNotDurable: { readonly path: string; readonly kind: 'dir' | 'file'; readonly entriesInside: number }[];
  /** Files whose contents were not (all) fsync'd. */
  readonly filesNotSynced: { readonly path: string; readonly syncedSize: number; readonly size: number; readonly unsyncedBytes: number }[];
  /** Entry operations (create, mkdir, rename ...) whose directory was never fsync'd after them. */
  readonly entryOperationsNotDurable: number;
}

/** Each fault a scenario composes, as plain data (chaos/ files and result.json parameters). */
export interface KillFault {
  readonly kind: 'kill';
  /** When, in acknowledged inserts or milliseconds of the cycle's workload, the server is killed. */
  readonly trigger: KillTriggerSpec;
  readonly signal: 'SIGKILL';
}

/** After `warmup` a flush of one table is requested and the kill aims at `phase`. */
export interface FlushKillFault {
  readonly kind: 'flush-kill';
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
export interface CorruptFault {
  readonly kind: 'corrupt';
  readonly corruptions: readonly Corruption[];
  readonly stop: 'kill' | 'clean';
  readonly warmup: KillTriggerSpec;
  /** Outcomes that count as a pass; anything else is a violation. */
  readonly accept: readonly RecoveryOutcomeName[];
}

/**
 * The data directory is served through lossfs (a FUSE layer); after each kill the layer cuts the
 * power: only what was fsync'd (and entries whose directory was fsync'd) stays on disk.
 */
export interface PowerCutFault {
  readonly kind: 'power-cut';
  /** unsynced: every unsynced write is lost; torn: and the last one of each file is torn at a seeded offset. */
  readonly loss: 'unsynced' | 'torn';
}

export type RecoveryOutcomeName = 'rebuilt' | 'refused' | 'panic' | 'hang' | 'silent-loss';

/** How a server came up on a data directory another release wrote. */
export type UpgradeOutcomeName = 'upgraded' | 'refused' | 'panic' | 'hang' | 'silent-loss';

/** One release of the server: a kalamdb-server binary, or the reference server writing one on-disk format. */
export type ServerRelease = { readonly bin: string } | { readonly format: number };

/**
 * Cycle 1 writes on the `from` release and stops it (`stop`); the `to` release is started on the
 * same data directory and judged; later cycles kill `to` mid-write after a flush. With `downgrade`
 * the last cycle stops `to` cleanly and starts `from` again.
 */
export interface UpgradeFault {
  readonly kind: 'upgrade';
  /** Absent until the command line names them (--from-bin/--to-bin, --from-format/--to-format). */
  readonly from?: ServerRelease;
  readonly to?: ServerRelease;
  readonly stop: 'kill' | 'clean';
  /** SIGKILL the first start of `to` at a seeded moment before it is ready, then start it again. */
  readonly killFirstStart: boolean;
  readonly downgrade: boolean;
  readonly warmup: KillTriggerSpec;
  /** Outcomes of the upgrade that count as a pass. */
  readonly accept: readonly UpgradeOutcomeName[];
  /** Outcomes of the downgrade that count as a pass ('upgraded' here means every row came back). */
  readonly acceptDowngrade: readonly UpgradeOutcomeName[];
}

export type FaultSpec = KillFault | FlushKillFault | CorruptFault | PowerCutFault | UpgradeFault;
export type FaultKind = FaultSpec['kind'];
