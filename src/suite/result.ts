import { EXIT_CODES } from '../report/result.js';
import type { CheckOutcome, CheckVerdict, SuiteVerdict } from './types.js';

export function countOutcomes(checks: readonly CheckVerdict[]): Record<CheckOutcome, number> {
  const totals: Record<CheckOutcome, number> = { pass: 0, fail: 0, skipped: 0, error: 0 };
  for (const check of checks) totals[check.outcome]++;
  return totals;
}

/**
 * A suite's verdict and exit code, as campaigns have them: the tool's own error (a check that
 * threw, a server that would not start) is 2, a check the server failed 1, all held 0; an
 * interrupt is 130/143. Skipped checks are neither.
 */
export function suiteVerdict(checks: readonly CheckVerdict[], options: { error?: boolean; interrupted?: NodeJS.Signals }): { verdict: SuiteVerdict; exitCode: number } {
  if (options.interrupted) return { verdict: 'interrupted', exitCode: options.interrupted === 'SIGTERM' ? EXIT_CODES.interruptedBySigterm : EXIT_CODES.interruptedBySigint };
  if (options.error || checks.some((check) => check.outcome === 'error')) return { verdict: 'error', exitCode: EXIT_CODES.error };
  if (checks.some((check) => check.outcome === 'fail')) return { verdict: 'fail', exitCode: EXIT_CODES.fail };
  return { verdict: 'pass', exitCode: EXIT_CODES.pass };
}
