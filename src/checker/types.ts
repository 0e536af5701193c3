import type { SegmentSighting } from './segment-immutability.js';
import type { LostRowsForensics } from '../forensics/types.js';
/** Where rows live: a table, and for USER tables the user whose partition it is. */
export interface Scope {
  readonly table: string;
  /** The user id for a USER table; null for SHARED. */
  readonly partition: string | null;
}

export type Violation =
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
  /** The server came back and nothing it said shows it met the damaged file: the cycle tested nothing. */
  | { kind: 'corruption-unread'; corruption: string; path: string }
  /** After a restart the target lost every table, or answered no request of a cycle: further cycles would test nothing. */
  | { kind: 'target-unrecoverable'; reason: string; tablesMissing: string[]; requestsFailed: number; failures: string[] }
  /** A cycle acknowledged no write, so it tested nothing. */
  | { kind: 'untested'; detail: string }
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

/** Why a liveness flush failed: refused for hot rows, skipped behind a job that never ends, failed, or too slow. */
export type FlushStuckReason = 'no-pending-writes' | 'already-running' | 'refused' | 'job-failed' | 'deadline';

/** When the data directory was inspected: as the crash left it, once the server restarted, or after the last stop. */
export type StorageInspectionMoment = 'after-crash' | 'after-restart' | 'end';

export type ViolationKind = Violation['kind'];

export interface CheckResult {
  readonly check: string;
  readonly cycle: number;
  readonly ok: boolean;
  readonly violations: Violation[];
  readonly stats?: Record<string, number>;
}
