import type { CheckResult, Violation } from '../checker/types.js';
import type { KillTrigger } from '../nemesis/kill-trigger.js';
import type { TargetDescription } from '../target/types.js';
import type { OutcomeCounts } from '../workload/ledger.js';

export const RESULT_SCHEMA_VERSION = 1;

export type Verdict = 'pass' | 'fail' | 'error' | 'interrupted';

/** Exit codes CI can trust: 0 all checks held, 1 a violation, 2 usage or setup error, 130/143 interrupted. */
export const EXIT_CODES = { pass: 0, fail: 1, error: 2, interruptedBySigint: 130, interruptedBySigterm: 143 } as const;

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
  readonly restart?: { readonly incarnation: number; readonly readyMs: number };
  readonly checks: CheckResult[];
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
}
