import type { FlushCycleResult, PowerCutSummary } from '../vocabulary/faults.js';
import type { PowerCutReport } from '../power-loss/lossfs.js';

export type {
  AckLossCycle,
  AckLossFigures,
  CheckSummary,
  CorruptionCycleResult,
  CycleResult,
  OutcomeCounts,
  RunResult,
  Verdict,
  ViolationRecord,
} from '../vocabulary/result.js';
export type { FlushCycleResult, PowerCutSummary } from '../vocabulary/faults.js';
export type { StorageInspectionMoment } from '../vocabulary/violations.js';

export const RESULT_SCHEMA_VERSION = 2;

/**
 * Exit codes CI can trust: 0 all checks held, 1 a violation, 2 usage or setup error (the tool's own
 * failure), 3 inconclusive (no violation, but the run tested too little), 130/143 interrupted.
 */
export const EXIT_CODES = { pass: 0, fail: 1, error: 2, inconclusive: 3, interruptedBySigint: 130, interruptedBySigterm: 143 } as const;

export function describeFlushKill(flush: FlushCycleResult): string {
  const how =
    flush.trigger === 'flush-finished' || flush.trigger === 'deadline'
      ? `(trigger for ${flush.intended} missed: ${flush.trigger})`
      : `at ${flush.intended} (${flush.trigger}${flush.observed ? `: ${flush.observed}` : ''})`;
  return `during flush of ${flush.table} ${how}`;
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
