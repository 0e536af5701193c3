import type { SuiteCheck } from '../../types.js';
import { ownNamespace, succeeded } from '../expectations.js';
import { cliOf, expectFailure } from './cli-expect.js';

/** Seed: test_cli_batch_execution (a batch of statements; here a real -f file that meets an error). */
export const cliFileBatch: SuiteCheck = {
  id: 'cli/file-batch-stops-at-first-error',
  category: 'cli',
  needs: ['cli'],
  expectation: 'kalam -f runs the statements in order and stops at the first error (exit 1): the statements before it are applied, those after it are not',
  async run(ctx) {
    const cli = cliOf(ctx);
    const ns = await ownNamespace(ctx, 'clibatch');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.items (id BIGINT PRIMARY KEY, label TEXT) WITH (TYPE = 'SHARED')`), { outcome: 'success' }, 'creating the table');
    const file = await cli.writeFile(
      'batch.sql',
      [`INSERT INTO ${ns}.items (id, label) VALUES (1, 'first');`, `INSERT INTO ${ns}.items (id, label) VALUES (2, 'second');`, 'SELEC 1;', `INSERT INTO ${ns}.items (id, label) VALUES (3, 'after the error');`, ''].join('\n'),
    );
    expectFailure(ctx, await cli.run(['-f', file]), 'the batch with an error in its third statement', /SELEC/);
    ctx.expect(await ctx.sql(`SELECT id, label FROM ${ns}.items ORDER BY id`), succeeded(undefined, [['1', 'first'], ['2', 'second']]), 'the rows after the batch');
  },
};
