/**
 * Every event of a run, in the order it happened: one line each in history.ndjson. The history is
 * the checkers' only input, so every request, outcome and post-restart observation is an event.
 * `cycle` is the crash-restart cycle (1-based; 0 is setup before the first fault). Types only.
 */
import type { AppliedCorruption, CacheEviction, FlushCycleResult, KillTrigger, LandedPhase, PowerCutSummary, ReadPath } from './faults.js';
import type { LostRange, StorageInspectionMoment, Violation } from './violations.js';
import type { WorkloadName } from './scenario.js';
import type { RowsGoalStop } from './result.js';

/** A value as a read returned it: BIGINT and `_seq` come back as strings. */
export type Cell = string | number | boolean | null;

/**
 * What an operation of a workload other than append does, as its request records it. The
 * append ledger ignores such requests (their `ids` are empty); the workload's checker reads them.
 */
export interface OperationRecord {
  readonly workload: WorkloadName;
  /** The operation: insert, update, delete, read, create-table, alter-table, drop-table, create-user, drop-user... */
  readonly f: string;
  /** Primary keys it names (the rows of an INSERT, the key of an UPDATE or DELETE, the range of a read). */
  readonly keys?: readonly number[];
  /** The value it writes (unique per write), or the DDL's object (table, column, user). */
  readonly value?: string;
}

/** Outcome of one request as the client saw it. */
export type RequestOutcome = 'acknowledged' | 'failed' | 'indeterminate';

/** A committed segment file as a manifest names it, with its content's hash. */
export interface SegmentHash {
  /** Folder of the manifest, relative to the data directory ("storage/ns/table[/user]"). */
  readonly scope: string;
  /** Segment file as the manifest names it ("batch-0.parquet"). */
  readonly file: string;
  readonly sha256: string;
  readonly size: number;
  /** `version` of the manifest that named it; null when it has none. */
  readonly manifestVersion: number | null;
}

export interface ScopeForensics {
  readonly table: string;
  readonly partition: string | null;
  readonly ranges: LostRange[];
}

/** The forensics of a whole run's losses. */
export interface LossForensics {
  readonly scopes: ScopeForensics[];
  /** Crash snapshots unpacked and searched, by cycle. */
  readonly snapshotsSearched: number[];
  readonly liveSearched: boolean;
  /** Why the search is incomplete (snapshots off, capped, unreadable...), if it is. */
  readonly incomplete: string[];
  readonly unreadableFiles: string[];
  readonly durationMs: number;
  /** The tool failed: the forensics says nothing. */
  readonly error?: string;
}

/** A `kalam-chaos inspect` finding as the history keeps it. */
export interface InspectionFindingRecord {
  readonly severity: 'violation' | 'warning';
  readonly kind: string;
  readonly path: string;
  readonly message: string;
  readonly [detail: string]: unknown;
}

export interface ColumnRecord {
  readonly name: string;
  readonly data_type: string;
  readonly index: number;
}

/** system.namespaces and system.tables rows of the run's namespace, and each table's columns. */
export interface MetadataSnapshot {
  readonly namespaces: Record<string, unknown>[];
  readonly tables: Record<string, unknown>[];
  /** Column names and types per table, from the schema of a SELECT; absent while a table is empty. */
  readonly columns: Record<string, ColumnRecord[]>;
}

/** One row of a live-query message: key, `_seq` as a decimal string (it exceeds 2^53), payload (null when absent). */
export type LiveRowRecord = readonly [id: number, seq: string, payload: string | null];

/** A system.live row as the after-restart probe read it. */
export interface LiveEntryRecord {
  readonly liveId: string;
  readonly connectionId: string;
  readonly user: string;
  readonly subscription: string;
}

/** Why a read-back happened: the check after a restart, or a look at damaged data that only classifies the damage. */
export type ReadBackPurpose = 'check' | 'damaged';

export type HistoryEvent =
  /** `options` holds every parameter of the campaign (workload, faults, checks, timeouts...). */
  | { type: 'run-start'; scenario: string; seed: number; options: unknown; target: unknown; startedAt?: string; schedule?: KillTrigger[] }
  | { type: 'server-start'; incarnation: number; pid: number; port: number; command: string }
  | { type: 'server-ready'; incarnation: number; readyMs: number; version?: string }
  | { type: 'server-exit'; incarnation: number; exitCode: number | null; signal: string | null; expected: boolean }
  /** The server exited while nobody was stopping it. */
  | { type: 'unexpected-exit'; cycle: number; incarnation: number; exitCode: number | null; signal: string | null; stderrTail: string[] }
  | { type: 'resources'; incarnation: number; cpuPercent: number; memoryBytes: number }
  | { type: 'setup'; cycle: number; statements: number }
  | { type: 'request'; cycle: number; requestId: number; writer: number; table: string; partition: string | null; ids: number[]; op?: OperationRecord }
  /** `rowCount` and `rows` answer an operation that reads or changes rows (absent for append's INSERTs). */
  | { type: 'response'; cycle: number; requestId: number; outcome: RequestOutcome; latencyMs: number; error?: string; code?: string; rowCount?: number; rows?: Cell[][] }
  | { type: 'nemesis-planned'; cycle: number; fault: string; trigger: KillTrigger }
  | { type: 'kill'; cycle: number; incarnation: number; signal: string; acksThisCycle: number; inFlight: number }
  /** What the cycle's fault did: delivered false when the server was already gone. */
  | { type: 'fault'; cycle: number; fault: string; signal: string; delivered: boolean; acksThisCycle: number; inFlight: number; atMs: number; description: string }
  /** Every writer stopped on its own (errors or refusals) before the fault. */
  | { type: 'writers-gave-up'; cycle: number; acksThisCycle: number }
  | { type: 'writers-stopped'; cycle: number; acknowledged: number; failed: number; indeterminate: number }
  | { type: 'flush-primed'; table: string; jobId: string; cycle: number }
  /**
   * A flush of `table` (unqualified) that may have taken every row acknowledged before it: requests
   * issued before `commandBefore` were answered before it was asked; from `completedBefore` on, after it completed.
   */
  | { type: 'flush-mark'; cycle: number; table: string; commandBefore: number; completedBefore: number }
  | ({ type: 'flush-kill'; cycle: number } & Omit<FlushCycleResult, 'landed' | 'asIntended'>)
  | { type: 'flush-landed'; cycle: number; intended: string; landed: LandedPhase; asIntended: boolean; landedOnDisk?: LandedPhase; jobStatusAfterRestart?: string }
  | { type: 'storage-inspection'; cycle: number; when: StorageInspectionMoment; ok: boolean; totals: { scopes: number; segments: number; rows: number; segmentsChecked?: number }; findings: InspectionFindingRecord[] }
  | ({ type: 'corruption'; cycle: number } & AppliedCorruption)
  | { type: 'recovery-outcome'; cycle: number; outcome: string; accepted: boolean; damageRead: boolean; evidence: string[]; readPaths?: readonly ReadPath[]; cacheEviction?: CacheEviction; acceptable?: string[]; corruption?: string; path?: string }
  /** An upgrade (or a downgrade) judged: how the release came up on the other's data directory, and the evidence. */
  | {
      type: 'upgrade-outcome';
      cycle: number;
      direction: 'upgrade' | 'downgrade';
      outcome: string;
      accepted: boolean;
      acceptable: string[];
      /** What each release reported (health endpoint version, else its command). */
      from: string;
      to: string;
      evidence: string[];
    }
  /** The on-disk format found in the data directory at a moment of an upgrade campaign. */
  | { type: 'disk-format'; cycle: number; when: 'before-upgrade' | 'after-upgrade' | 'after-downgrade'; format: string; detail?: string }
  /** An upgrade's first start killed before it was ready (delivered false: it was ready first). */
  | { type: 'first-start-kill'; cycle: number; incarnation: number; afterMs: number; delivered: boolean }
  /** After a corruption outcome other than rebuilt: the original file was put back before the checks. */
  | { type: 'corruption-restored'; cycle: number; path: string }
  | ({ type: 'power-cut'; cycle: number } & PowerCutSummary)
  | { type: 'settle'; cycle: number; reason: 'first-boot'; atRisk: { path: string; kind: 'dir' | 'file'; entriesInside: number }[]; filesNotSynced: { path: string; syncedSize: number; size: number; unsyncedBytes: number }[]; entryOperationsNotDurable: number }
  | { type: 'snapshot'; cycle: number; path?: string; dataBytes?: number; skipped?: string }
  /** A committed segment name seen for the first time, or with a content other than last recorded. */
  | ({ type: 'segment-committed'; cycle: number; when: StorageInspectionMoment } & SegmentHash)
  /** Segments hashed at one moment (how many there were, whether or not any changed). */
  | { type: 'segments-hashed'; cycle: number; when: StorageInspectionMoment; segments: number }
  /** Where the acknowledged rows a run lost were last seen on disk. */
  | ({ type: 'loss-forensics' } & LossForensics)
  /** Liveness after a restart: every flush asked of a table with hot rows, its answer and its job's states. */
  | { type: 'flush-request'; cycle: number; incarnation: number; table: string; attempt: number; hot: string }
  | { type: 'flush-answer'; cycle: number; incarnation: number; table: string; attempt: number; answer: string; jobId?: string; error?: boolean }
  | { type: 'flush-job'; cycle: number; incarnation: number; table: string; jobId: string; status: string; message?: string }
  | { type: 'flush-liveness'; cycle: number; incarnation: number; table: string; ok: boolean; reason?: string; jobId?: string; completed?: boolean; violation?: Violation }
  /**
   * A scope read back: every id in the order the server returned them (a duplicate appears twice),
   * as `ids` or, for the append workload's reads, `packedIds` (src/history/packed-ids.ts; read
   * either with readBackIds).
   */
  | {
      type: 'read-back';
      cycle: number;
      incarnation: number;
      purpose: ReadBackPurpose;
      table: string;
      partition: string | null;
      ids?: number[];
      /** `ids` as a string of packed differences: a million ids in about a megabyte. */
      packedIds?: string;
      countStar?: number;
      /** Ids whose payload is not the one the workload sent for them. */
      payloadMismatch?: number[];
      /** The read failed with this answer. */
      error?: string;
      /** The workload that owns the scope (absent: append, judged by acknowledged-writes). */
      workload?: WorkloadName;
      /** A workload's own read: its columns and every row (the first column is the key). */
      columns?: string[];
      rows?: Cell[][];
      /** Keys `WHERE _deleted = true` returned. */
      tombstones?: number[];
      /** The server's answer when it refused `WHERE _deleted = true` (the rows above were read all the same). */
      tombstonesError?: string;
    }
  | { type: 'metadata'; cycle: number; when: 'before-fault' | 'after-restart'; snapshot: MetadataSnapshot }
  /** A subscriber's WebSocket is authenticated; `connection` counts its connections from 1; `fromSeq` is the resume cursor it will send. */
  | { type: 'live-connect'; cycle: number; subscriber: string; connection: number; incarnation: number; fromSeq?: string }
  /** One message the server sent a subscriber, in a fixed shape: its rows (and old values) as [id, _seq, payload]. */
  | {
      type: 'live-message';
      cycle: number;
      subscriber: string;
      connection: number;
      kind: string;
      subscription?: string;
      change?: string;
      rows?: LiveRowRecord[];
      old?: LiveRowRecord[];
      batch?: number;
      hasMore?: boolean;
      code?: string;
      message?: string;
      binary: boolean;
      bytes: number;
    }
  /** The subscription's initial data is complete; `select` is a SELECT of the same rows right then (no writer of this subscriber runs meanwhile). */
  | { type: 'live-ready'; cycle: number; subscriber: string; connection: number; fromSeq?: string; initialRows: number; select: LiveRowRecord[] }
  | { type: 'live-close'; cycle: number; subscriber: string; connection: number; code: number; reason: string }
  /** A subscriber could not connect, authenticate or subscribe. */
  | { type: 'live-failed'; cycle: number; subscriber: string; connection: number; error: string }
  /** system.live after a restart, before any subscriber reconnected. */
  | { type: 'live-entries'; cycle: number; incarnation: number; entries: LiveEntryRecord[]; error?: string }
  /** After a restart: the run's tables system.tables lists (or why it could not be read). */
  | { type: 'tables-present'; cycle: number; present?: string[]; error?: string }
  | { type: 'restart'; cycle: number; incarnation: number; readyMs: number }
  /** The restart after a fault did not reach readiness. */
  | { type: 'restart-failed'; cycle: number; incarnation: number; error: string; stderrTail: string[] }
  | { type: 'cycle-end'; cycle: number }
  /** `--rows`: the campaign stopped cycling after `cycle`, with `acknowledged` rows (its own count). */
  | { type: 'rows-goal'; cycle: number; goal: number; acknowledged: number; stoppedBy: RowsGoalStop }
  | { type: 'run-end'; verdict: string; exitCode: number; durationMs: number; finishedAt?: string }
  | { type: 'interrupted'; cycle: number; signal: string }
  | { type: 'error'; cycle: number; step: string; message: string };

export type HistoryEventType = HistoryEvent['type'];
export type EventOf<T extends HistoryEventType> = Extract<HistoryEvent, { type: T }>;
