import { plainText } from '../../cli/cli-output.js';
import type { CheckContext, CliRun, SuiteCheck } from '../../types.js';
import { cliOf } from './cli-expect.js';

function expectExitZero(ctx: CheckContext, run: CliRun, steps: number, what: string): void {
  if (run.timedOut || run.stepsAnswered !== steps) ctx.problem(`${what}: the session stopped answering after ${run.stepsAnswered ?? 0} of ${steps} steps${run.timedOut ? ' (killed at its deadline)' : ''}`);
  if (run.exitCode !== 0) ctx.problem(`${what}: expected exit 0 when the session ends, got ${run.exitCode ?? run.signal ?? 'no exit code'}`);
}

/** Seed: test_cli_error_recovery (continue after an error), here in a real interactive session. */
export const cliInteractiveAfterError: SuiteCheck = {
  id: 'cli/interactive-continues-after-error',
  category: 'cli',
  needs: ['cli'],
  expectation: 'in interactive mode (a pseudo-terminal) a statement that fails prints the error and the next statement still runs; \\q exits 0',
  async run(ctx) {
    const steps = [
      { send: 'SELEC 1;\n', then: 'prompt' },
      { send: 'SELECT 424242;\n', then: 'prompt' },
      { send: '\\q\n', then: 'exit' },
    ] as const;
    const run = await cliOf(ctx).interactive(steps);
    expectExitZero(ctx, run, steps.length, 'the session');
    const text = plainText(run.stdout);
    const error = text.search(/SELEC\b.*at Line: 1/);
    const answer = text.lastIndexOf('424242');
    if (error === -1) ctx.problem('the failing statement: the session printed no error naming SELEC');
    if (answer === -1 || answer < error) ctx.problem('the statement after the error: its result (424242) is not printed after the error');
  },
};

/** Seed: the plan's TODO "interactive mode (Ctrl+C handling)". */
export const cliInteractiveCtrlC: SuiteCheck = {
  id: 'cli/interactive-ctrl-c',
  category: 'cli',
  needs: ['cli'],
  expectation: 'in interactive mode Ctrl+C discards the line being typed and keeps the session (the next statement runs); Ctrl+D ends it with exit 0',
  async run(ctx) {
    const steps = [
      { send: 'SELECT 737373', then: 'echo' },
      { send: '\u0003', then: 'prompt' },
      { send: 'SELECT 515151;\n', then: 'prompt' },
      { send: '\u0004', then: 'exit' },
    ] as const;
    const run = await cliOf(ctx).interactive(steps);
    expectExitZero(ctx, run, steps.length, 'the session');
    const text = plainText(run.stdout);
    if (/Int64\(737373\)/.test(text)) ctx.problem('Ctrl+C: the line it interrupted was run anyway');
    if (!/Int64\(515151\)/.test(text)) ctx.problem('the statement after Ctrl+C: its result (Int64(515151)) is not printed');
  },
};
