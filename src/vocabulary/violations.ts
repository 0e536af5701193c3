/**
 * The vocabulary of verdicts: where rows live, what a checker can find. Types only; this folder
 * imports nothing from outside it, so any module may name these without an import circle.
 */

/** Where rows live: a table, and for USER tables the user whose partition it is. */
export interface Scope {
  readonly table: string;
  /** The user id for a USER table; null for SHARED. */
  readonly partition: string | null;
}

/** When the data directory was inspected: as the crash left it, once the server restarted, or after the last stop. */
export type StorageInspectionMoment = 'after-crash' | 'after-restart' | 'end';

/** One content of one segment name, as first seen. */
export interface SegmentSighting {
  readonly sha256: string;
  readonly size: number;
  readonly cycle: number;
  readonly when: StorageInspectionMoment;
  readonly manifestVersion: number | null;
}

/** Where a lost acknowledged row was last seen on disk. */
export interface SegmentLocation {
  /** The crash snapshot (snapshots/cycle-K.tar.gz) it was seen in; null for the live data directory. */
  readonly snapshotCycle: number | null;
  /** Relative to the data directory: storage/ns/table[/user]/batch-N.parquet (or a leftover .tmp). */
  readonly path: string;
  /** Whether that source's manifest.json committed the file. */
  readonly namedByManifestThen: boolean;
  /** Whether the live data directory's manifest still commits a file of that name. */
  readonly namedByCurrentManifest: boolean;
  /** Whether the live file of that name still holds the row. */
  readonly stillInLiveFile: boolean;
}

export type LostPlacement =
  | { readonly kind: 'segment'; readonly last: SegmentLocation; readonly sightings: number }
  /** Never in a segment of any crash snapshot nor of the live data directory: the row lived only in the hot tier. */
  | { readonly kind: 'hot-only' }
  /** Not in any segment searched, but the search was incomplete, so hot-only cannot be claimed. */
  | { readonly kind: 'unseen'; readonly reason: string };

export interface LostRange {
  readonly first: number;
  readonly last: number;
  readonly count: number;
  readonly placement: LostPlacement;
}

/** Attached to a `lost` violation: its ids grouped by where they were last seen. */
export interface LostRowsForensics {
  readonly ranges: LostRange[];
}

/** Why a liveness flush failed: refused for hot rows, skipped behind a job that never ends, failed, or too slow. */
export type FlushStuckReason = 'no-pending-writes' | 'already-running' | 'refused' | 'job-failed' | 'deadline';

/** How a server came back from a damaged data directory. */
export type RecoveryOutcome = 'rebuilt' | 'refused' | 'panic' | 'hang' | 'silent-loss';

/** A workload's own invariant broken (src/workload/<name>/check.ts says which rule). */
export type WorkloadViolationKind =
  /** conflict: a statement left some of its rows and not others. */
  | 'partial-statement'
  /** conflict: a statement was acknowledged although a key of it repeated or already existed. */
  | 'duplicate-key-accepted'
  /** register: a key holds a value an acknowledged later write had overwritten. */
  | 'lost-update'
  /** register: a key holds a value no acknowledged or in-flight write wrote. */
  | 'unknown-value'
  /** register: a counter is not between its acknowledged and its attempted increments. */
  | 'counter-mismatch'
  /** delete: a key whose DELETE was acknowledged is back. */
  | 'resurrected'
  /** delete: a key is gone though nothing deleted it, or WHERE _deleted = true disagrees. */
  | 'tombstone-mismatch'
  /** ddl: acknowledged DDL is not there after a restart (table, column, user), or a drop came undone. */
  | 'ddl-lost'
  /** ddl: an object exists that no acknowledged or in-flight DDL made, or is half made. */
  | 'ddl-phantom'
  /** readers: a read missed a row acknowledged before it began. */
  | 'stale-read'
  /** readers: a read returned a row not acknowledged or in flight by then. */
  | 'phantom-read'
  /** subscribers: an acknowledged change after the subscriber's cursor never arrived. */
  | 'missed-change'
  /** subscribers: a change arrived that no acknowledged or in-flight write made. */
  | 'phantom-change'
  /** subscribers: one row version (`_seq`) arrived twice. */
  | 'duplicate-change'
  /** subscribers: changes of one connection arrived out of `_seq` order. */
  | 'out-of-order-change'
  /** subscribers: a subscription's initial data is not what a SELECT at that point returns. */
  | 'initial-data-mismatch'
  /** subscribers: after a restart system.live lists a subscription of a connection that no longer exists. */
  | 'stale-live-entry'
  /** subscribers: the server refused a subscriber's connection, authentication or subscription. */
  | 'subscribe-failed';

export type Violation =
  /** `detail` names the rule broken; `count` how many times the cycle broke it (keys and requests shown are capped). */
  | (Scope & { kind: WorkloadViolationKind; workload: string; keys: number[]; requestIds: number[]; detail: string; count: number })
  | (Scope & { kind: 'lost'; ids: number[]; forensics?: LostRowsForensics })
  | (Scope & { kind: 'phantom'; ids: number[]; reason: 'never-sent' | 'failed-cleanly' })
  | (Scope & { kind: 'duplicate'; ids: number[] })
  | (Scope & { kind: 'payload-mismatch'; ids: number[] })
  | (Scope & { kind: 'count-mismatch'; countStar: number; distinctIds: number; rowsRead: number })
  | (Scope & { kind: 'unreadable'; error: string })
  | { kind: 'metadata-changed'; what: 'namespaces' | 'tables' | 'columns'; subject: string; before: unknown; after: unknown }
  /** The server exited while nobody was killing it. */
  | { kind: 'server-crashed'; incarnation: number; exitCode: number | null; signal: string | null; stderrTail: string[] }
  /** After a crash, the server could not be brought back to readiness. */
  | { kind: 'recovery-failed'; incarnation: number; error: string; stderrTail: string[] }
  /** The server stayed up but answered no write during a cycle. */
  | { kind: 'unavailable'; detail: string }
  /** After a corruption the server came back in a way the scenario does not accept (panic, hang, silent loss...). */
  | { kind: 'recovery-outcome'; outcome: string; accepted: string[]; corruption: string; path: string; evidence: string[] }
  /** A release opened another's data directory in a way the scenario does not accept (panic, hang, silent loss...). */
  | { kind: 'upgrade-outcome'; direction: 'upgrade' | 'downgrade'; outcome: string; accepted: string[]; from: string; to: string; evidence: string[] }
  /** After a restart the target lost every table, or answered no request of a cycle: further cycles would test nothing. */
  | { kind: 'target-unrecoverable'; reason: string; tablesMissing: string[]; requestsFailed: number; failures: string[] }
  /** The cold tier on disk breaks an invariant (a `kalam-chaos inspect` violation). */
  | { kind: 'storage'; when: StorageInspectionMoment; finding: string; path: string; message: string }
  /** A committed segment name now holds other content than when first committed. */
  | { kind: 'segment-overwritten'; scope: string; file: string; before: SegmentSighting; after: SegmentSighting }
  /** An existing table the server called "not found", or whose every write it refused, for a whole incarnation. */
  | {
      kind: 'table-unavailable';
      table: string;
      incarnation: number;
      failedWrites: number;
      acknowledgedWrites: number;
      sampleErrors: string[];
      /** What a read of the table answered after the restart, when it said not found. */
      readAnswers: string[];
    }
  /** After a restart, a flush of a table with hot rows was refused, failed or did not complete in time. */
  | {
      kind: 'flush-stuck';
      table: string;
      incarnation: number;
      reason: FlushStuckReason;
      /** Every answer of STORAGE FLUSH TABLE, in order. */
      answers: string[];
      jobId?: string;
      jobStatus?: string;
      jobMessage?: string;
      /** system.jobs rows of the table when the flush was given up on. */
      jobs: { jobId: string; status: string; message?: string; createdAt?: unknown; startedAt?: unknown; finishedAt?: unknown }[];
      deadlineMs: number;
    };

export type ViolationKind = Violation['kind'];

/** What one checker concluded about one cycle (0: setup; the last cycle also covers the run's end). */
export interface CheckResult {
  readonly check: string;
  readonly cycle: number;
  readonly ok: boolean;
  readonly violations: Violation[];
  readonly stats?: Record<string, number>;
}

/** A checker's finding, as a pure judge emits it while folding the history. */
export interface Finding {
  readonly cycle: number;
  readonly check: string;
  readonly violation: Violation;
}

/**
 * Why a cycle tested too little to count as a pass: no acknowledged write, a fault that was not
 * delivered, damage the server never read, a flush kill outside the targeted phase, a `--rows`
 * goal the run ended short of.
 */
export type CoverageGapKind = 'no-acknowledged-write' | 'fault-not-delivered' | 'corruption-unread' | 'flush-kill-missed-phase' | 'rows-not-reached' | 'no-live-change';

export interface CoverageGap {
  readonly cycle: number;
  readonly kind: CoverageGapKind;
  readonly detail: string;
}
