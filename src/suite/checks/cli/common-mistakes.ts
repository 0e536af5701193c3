import type { SuiteCheck } from '../../types.js';
import { cliOf, escapeRegExp, expectFailure } from './cli-expect.js';

/** Seed: test_cli_clear_error_messages (common mistakes get a message that says what went wrong). */
export const cliCommonMistakes: SuiteCheck = {
  id: 'cli/common-mistakes',
  category: 'cli',
  needs: ['cli'],
  expectation: 'common mistakes exit 1 with an Error: line that says what went wrong: no server at the URL, no credentials, a table in a namespace that does not exist',
  async run(ctx) {
    const cli = cliOf(ctx);
    // Port 1 on loopback: nothing listens there, and nothing may (a privileged port).
    const nowhere = 'http://127.0.0.1:1';
    expectFailure(ctx, await cli.run(['-c', 'SELECT 1'], { url: nowhere }), 'a URL where no server runs', new RegExp(escapeRegExp(nowhere)));
    expectFailure(ctx, await cli.run(['-c', 'SELECT 1'], { anonymous: true }), 'no credentials', /\b401\b.*Authentication required/);
    const ns = ctx.name('nonamespace');
    expectFailure(ctx, await cli.run(['-c', `CREATE TABLE ${ns}.t (id BIGINT PRIMARY KEY)`]), 'CREATE TABLE in a namespace that does not exist', new RegExp(`Namespace '${ns}' does not exist`));
  },
};
