import type { SuiteCheck } from '../../types.js';
import { ownNamespace, refused, succeeded } from '../expectations.js';

/** Seed: test_shared_table_access_levels (a regular user reads a PUBLIC shared table; RESTRICTED "depends on implementation"). */
export const sharedTableAccessLevel: SuiteCheck = {
  id: 'validation/shared-table-access-level',
  category: 'validation',
  expectation: 'a user with role user may read a PUBLIC shared table but not write it, and may neither read nor write a RESTRICTED one; root may do both',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'access');
    for (const [table, level] of [['public_config', 'PUBLIC'], ['restricted_config', 'RESTRICTED']] as const) {
      ctx.require(
        await ctx.sql(`CREATE TABLE ${ns}.${table} (key TEXT PRIMARY KEY, value TEXT) WITH (TYPE = 'SHARED', ACCESS_LEVEL = '${level}')`),
        { outcome: 'success' },
        `creating the ${level} table`,
      );
      ctx.require(await ctx.sql(`INSERT INTO ${ns}.${table} (key, value) VALUES ('k1', 'root')`), { outcome: 'success' }, `root's INSERT into the ${level} table`);
    }
    const user = await ctx.user('alice');
    const denied = (table: string, how: 'access' | 'write', level: string) =>
      refused(
        'PERMISSION_DENIED',
        `Statement 1 failed: Permission denied: ${how === 'access' ? 'Error during planning: ' : ''}Access denied: Role 'User' cannot access table '${ns}.${table}'. Shared table ${how} denied (access_level=${level})`,
      );
    ctx.expect(await user.sql(`SELECT COUNT(*) AS count FROM ${ns}.public_config`), succeeded(undefined, [['1']]), 'a user reading the PUBLIC table');
    ctx.expect(await user.sql(`INSERT INTO ${ns}.public_config (key, value) VALUES ('k2', 'user')`), denied('public_config', 'write', 'Public'), 'a user writing the PUBLIC table');
    ctx.expect(await user.sql(`SELECT COUNT(*) AS count FROM ${ns}.restricted_config`), denied('restricted_config', 'access', 'Restricted'), 'a user reading the RESTRICTED table');
    ctx.expect(await user.sql(`INSERT INTO ${ns}.restricted_config (key, value) VALUES ('k2', 'user')`), denied('restricted_config', 'write', 'Restricted'), 'a user writing the RESTRICTED table');
    ctx.expect(await ctx.sql(`SELECT key, value FROM ${ns}.public_config`), succeeded(undefined, [['k1', 'root']]), 'root reading the PUBLIC table (the refused write left nothing)');
    ctx.expect(await ctx.sql(`SELECT key, value FROM ${ns}.restricted_config`), succeeded(undefined, [['k1', 'root']]), 'root reading the RESTRICTED table');
  },
};
