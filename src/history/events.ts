import type { StorageInspectionMoment, Violation } from '../checker/types.js';
import type { LossForensics } from '../forensics/types.js';
import type { SegmentHash } from '../storage/segment-hashes.js';
import type { FlushCycleResult, PowerCutSummary } from '../report/result.js';
import type { AppliedCorruption } from '../nemesis/corruption.js';
import type { CacheEviction } from '../nemesis/manifest-cache.js';
import type { ReadPath } from '../checker/manifest-read-path.js';

/** Outcome of one request as the client saw it. */
export type RequestOutcome = 'acknowledged' | 'failed' | 'indeterminate';

/**
 * Every event of a run, in the order it happened. One line each in history.ndjson.
 * `cycle` is the crash-restart cycle (1-based; 0 is setup before the first fault).
 */
export type HistoryEvent =
  | { type: 'run-start'; scenario: string; seed: number; options: unknown; target: unknown }
  | { type: 'server-start'; incarnation: number; pid: number; port: number; command: string }
  | { type: 'server-ready'; incarnation: number; readyMs: number; version?: string }
  | { type: 'server-exit'; incarnation: number; exitCode: number | null; signal: string | null; expected: boolean }
  | { type: 'resources'; incarnation: number; cpuPercent: number; memoryBytes: number }
  | { type: 'setup'; cycle: number; statements: number }
  | { type: 'request'; cycle: number; requestId: number; writer: number; table: string; partition: string | null; ids: number[] }
  | {
      type: 'response';
      cycle: number;
      requestId: number;
      outcome: RequestOutcome;
      latencyMs: number;
      error?: string;
      code?: string;
    }
  | { type: 'nemesis-planned'; cycle: number; fault: string; trigger: unknown }
  | { type: 'kill'; cycle: number; incarnation: number; signal: string; acksThisCycle: number; inFlight: number }
  | { type: 'writers-stopped'; cycle: number; acknowledged: number; failed: number; indeterminate: number }
  | { type: 'check'; cycle: number; check: string; ok: boolean; violations: Violation[]; stats?: unknown }
  | { type: 'flush-primed'; table: string; jobId: string; cycle: number }
  | ({ type: 'flush-kill'; cycle: number } & Omit<FlushCycleResult, 'landed' | 'asIntended'>)
  | { type: 'flush-landed'; cycle: number; intended: string; landed: string; asIntended: boolean }
  | { type: 'storage-inspection'; cycle: number; when: string; ok: boolean; totals: unknown; findings: unknown[] }
  | ({ type: 'corruption'; cycle: number } & AppliedCorruption)
  | { type: 'recovery-outcome'; cycle: number; outcome: string; accepted: boolean; damageRead: boolean; evidence: string[]; readPaths?: readonly ReadPath[]; cacheEviction?: CacheEviction }
  | ({ type: 'power-cut'; cycle: number } & PowerCutSummary)
  | { type: 'settle'; cycle: number; reason: 'first-boot'; atRisk: unknown[]; filesNotSynced: unknown[]; entryOperationsNotDurable: number }
  | { type: 'snapshot'; cycle: number; path?: string; dataBytes?: number; skipped?: string }
  /** A committed segment name seen for the first time, or with a content other than last recorded. */
  | ({ type: 'segment-committed'; cycle: number; when: StorageInspectionMoment } & SegmentHash)
  /** Where the acknowledged rows a run lost were last seen on disk. */
  | ({ type: 'loss-forensics' } & LossForensics)
  /** Liveness after a restart: every flush asked of a table with hot rows, its answer and its job's states. */
  | { type: 'flush-request'; cycle: number; incarnation: number; table: string; attempt: number; hot: string }
  | { type: 'flush-answer'; cycle: number; incarnation: number; table: string; attempt: number; answer: string; jobId?: string; error?: boolean }
  | { type: 'flush-job'; cycle: number; incarnation: number; table: string; jobId: string; status: string; message?: string }
  | { type: 'flush-liveness'; cycle: number; incarnation: number; table: string; ok: boolean; reason?: string; jobId?: string }
  | { type: 'run-end'; verdict: string; exitCode: number; durationMs: number }
  | { type: 'error'; cycle: number; step: string; message: string };

export type HistoryEventType = HistoryEvent['type'];
