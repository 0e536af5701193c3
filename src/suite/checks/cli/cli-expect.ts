import { errorLines, plainText } from '../../cli/cli-output.js';
import type { CheckContext, CliRun, KalamCli } from '../../types.js';

/** The check's CLI; the runner skips a check that needs it when there is none. */
export function cliOf(ctx: CheckContext): KalamCli {
  if (!ctx.cli) throw new Error('this check needs the kalam CLI, and the runner gave it none');
  return ctx.cli;
}

function exitOf(run: CliRun): string {
  return run.timedOut ? 'was killed at its deadline' : run.exitCode !== undefined ? `exited ${run.exitCode}` : `ended by ${run.signal ?? 'a signal'}`;
}

/** Exit 0, no `Error:` on stderr, and stdout matching `stdout` when given. True when all held. */
export function expectSuccess(ctx: CheckContext, run: CliRun, what: string, stdout?: RegExp): boolean {
  const problems: string[] = [];
  if (run.exitCode !== 0 || run.timedOut) problems.push(`expected exit 0, it ${exitOf(run)}`);
  if (errorLines(run.stderr).length > 0) problems.push(`stderr says ${JSON.stringify(errorLines(run.stderr)[0])}`);
  if (stdout && !stdout.test(plainText(run.stdout))) problems.push(`stdout does not match ${String(stdout)}: ${JSON.stringify(plainText(run.stdout).trim().slice(0, 300))}`);
  for (const problem of problems) ctx.problem(`${what}: ${problem}`);
  return problems.length === 0;
}

/** Exit 1 with an `Error:` line on stderr that matches `message` (what makes it clear). True when it held. */
export function expectFailure(ctx: CheckContext, run: CliRun, what: string, message: RegExp): boolean {
  const problems: string[] = [];
  if (run.exitCode !== 1 || run.timedOut) problems.push(`expected exit 1, it ${exitOf(run)}`);
  const lines = errorLines(run.stderr);
  if (lines.length === 0) problems.push(`expected an "Error:" line on stderr, got ${JSON.stringify(plainText(run.stderr).trim().slice(0, 300))}`);
  else if (!lines.some((line) => message.test(line))) problems.push(`expected an "Error:" line matching ${String(message)}, got ${JSON.stringify(lines[0])}`);
  for (const problem of problems) ctx.problem(`${what}: ${problem}`);
  return problems.length === 0;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
