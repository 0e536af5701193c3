import type { SuiteCheck } from '../../types.js';
import { ownNamespace, refused, succeeded } from '../expectations.js';

/** Seed: test_drop_nonexistent_table (with IF EXISTS it succeeds, without it fails). */
export const dropMissingTable: SuiteCheck = {
  id: 'validation/drop-missing-table',
  category: 'validation',
  expectation: 'DROP TABLE of a missing table is refused with KalamDB\'s error; with IF EXISTS it succeeds, saying it skipped',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'dropmissing');
    ctx.expect(await ctx.sql(`DROP TABLE IF EXISTS ${ns}.nonexistent_table`), succeeded(`Table ${ns}.nonexistent_table does not exist (skipped)`), 'DROP TABLE IF EXISTS of a missing table');
    ctx.expect(
      await ctx.sql(`DROP TABLE ${ns}.nonexistent_table`),
      refused('SQL_EXECUTION_ERROR', `Statement 1 failed: Not found: Table 'nonexistent_table' not found in namespace '${ns}'`),
      'DROP TABLE of a missing table',
    );
  },
};
