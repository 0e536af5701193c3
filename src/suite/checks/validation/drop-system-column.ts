import type { SuiteCheck } from '../../types.js';
import { versioned } from '../../versioned.js';
import { ownNamespace, REFUSED, refused, succeeded } from '../expectations.js';

/** The system columns of a USER table: the seed's `_updated` is `_seq` (the MVCC sequence) at 0.4.3. */
const SYSTEM_COLUMNS_RENAMED = 'the system columns are `_seq` and `_deleted` (the seed drops `_updated`, which 0.4.3 does not have)';
const SYSTEM_COLUMNS = versioned(['_updated', '_deleted'], { '0.4.3': ['_seq', '_deleted'] }, SYSTEM_COLUMNS_RENAMED);

/** Seed: test_drop_system_columns_rejected (DROP COLUMN _updated, _deleted of a USER table). */
export const dropSystemColumn: SuiteCheck = {
  id: 'validation/drop-system-column',
  category: 'validation',
  expectation: 'ALTER TABLE ... DROP COLUMN of a system column is refused with KalamDB\'s error, and the column stays readable',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'dropsys');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.test_table (id BIGINT PRIMARY KEY, data TEXT) WITH (TYPE = 'USER')`), { outcome: 'success' }, 'creating the table');
    const columns = ctx.pick(SYSTEM_COLUMNS);
    for (const column of columns) {
      ctx.expect(
        await ctx.sql(`ALTER TABLE ${ns}.test_table DROP COLUMN ${column}`),
        versioned(REFUSED, { '0.4.3': refused('SQL_EXECUTION_ERROR', `Statement 1 failed: Invalid operation: Cannot drop column '${column}': system column cannot be modified`) }, SYSTEM_COLUMNS_RENAMED),
        `DROP COLUMN ${column}`,
      );
    }
    ctx.expect(await ctx.sql(`SELECT ${columns.join(', ')} FROM ${ns}.test_table`), succeeded(undefined, []), 'reading the system columns afterwards');
  },
};
