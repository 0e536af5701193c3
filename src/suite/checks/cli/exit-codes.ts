import type { SuiteCheck } from '../../types.js';
import { ownNamespace } from '../expectations.js';
import { cliOf, escapeRegExp, expectFailure, expectSuccess } from './cli-expect.js';

/** Seed: test_cli_success_exit_code / test_cli_error_exit_code (simulated there; the real binary here). */
export const cliExitCodes: SuiteCheck = {
  id: 'cli/exit-codes',
  category: 'cli',
  needs: ['cli'],
  expectation: 'kalam -c exits 0 on success and 1 on error, with "Error: <the server\'s message>" on stderr',
  async run(ctx) {
    const cli = cliOf(ctx);
    expectSuccess(ctx, await cli.run(['-c', 'SELECT 4242']), 'a SELECT that succeeds', /\b4242\b/);
    expectFailure(ctx, await cli.run(['-c', 'SELEC 1']), 'a syntax error', /SELEC/);
    const ns = await ownNamespace(ctx, 'cliexit');
    expectFailure(ctx, await cli.run(['-c', `SELECT * FROM ${ns}.missing_table`]), 'a SELECT of a missing table', new RegExp(`${escapeRegExp(`${ns}.missing_table`)}.*not found`));
  },
};
