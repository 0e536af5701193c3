import type { SuiteCheck } from '../../types.js';
import { expectEach, refused } from '../expectations.js';

const cannot = (verb: 'alter' | 'drop', table: string) =>
  refused('SQL_EXECUTION_ERROR', `Statement 1 failed: Invalid operation: Cannot ${verb} system table '${table}'. System tables are managed internally.`);

/** Seed: test_unauthorized_alter_operations (ALTER TABLE system.users ADD COLUMN, behaviour only printed). */
export const alterSystemTable: SuiteCheck = {
  id: 'validation/alter-system-table',
  category: 'validation',
  expectation: 'ALTER TABLE and DROP TABLE of a system table are refused with KalamDB\'s error, and its columns stay as they were',
  async run(ctx) {
    await expectEach(ctx, [
      { sql: 'ALTER TABLE system.users ADD COLUMN custom_field TEXT', expect: cannot('alter', 'system.users') },
      { sql: 'ALTER TABLE system.tables ADD COLUMN custom_field TEXT', expect: cannot('alter', 'system.tables') },
      { sql: 'ALTER TABLE system.users DROP COLUMN email', expect: cannot('alter', 'system.users') },
      { sql: 'DROP TABLE system.users', expect: cannot('drop', 'system.users') },
    ]);
    const users = await ctx.sql('SELECT * FROM system.users LIMIT 0');
    if (ctx.expect(users, { outcome: 'success' }, 'system.users after the refused changes')) {
      const columns = users.columns ?? [];
      if (columns.includes('custom_field')) ctx.problem('system.users has a column custom_field after ALTER was refused');
      if (!columns.includes('email')) ctx.problem('system.users lost its email column');
    }
  },
};
