import type { SuiteCheck } from '../../types.js';
import { ownNamespace, succeeded } from '../expectations.js';

/** Seed: test_user_isolation_in_user_tables (alice writes 2 rows, bob 1, each counts only their own). */
export const userTableIsolation: SuiteCheck = {
  id: 'validation/user-table-isolation',
  category: 'validation',
  expectation: 'in a USER table each user reads only their own rows (by count, scan and key), the same key can exist once per user, and root sees none of theirs',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'isolation');
    const table = `${ns}.private_messages`;
    ctx.require(await ctx.sql(`CREATE TABLE ${table} (message_id BIGINT PRIMARY KEY, content TEXT) WITH (TYPE = 'USER')`), { outcome: 'success' }, 'creating the USER table');
    const alice = await ctx.user('alice');
    const bob = await ctx.user('bob');
    // alice writes with her own login; bob's row goes in as root acting for him (the seed's execute_sql_as_user).
    ctx.expect(await alice.sql(`INSERT INTO ${table} (message_id, content) VALUES (1, 'Alice message 1'), (2, 'Alice message 2')`), succeeded('Inserted 2 row(s)'), "alice's INSERT");
    ctx.expect(await ctx.sql(`INSERT INTO ${table} (message_id, content) VALUES (1, 'Bob message 1')`, { asUser: bob.id }), succeeded('Inserted 1 row(s)'), "bob's INSERT of the same key");

    ctx.expect(await alice.sql(`SELECT COUNT(*) AS count FROM ${table}`), succeeded(undefined, [['2']]), "alice's COUNT(*)");
    ctx.expect(
      await alice.sql(`SELECT message_id, content FROM ${table} ORDER BY message_id`),
      succeeded(undefined, [['1', 'Alice message 1'], ['2', 'Alice message 2']]),
      "alice's rows",
    );
    ctx.expect(await alice.sql(`SELECT content FROM ${table} WHERE message_id = 1`), succeeded(undefined, [['Alice message 1']]), "alice's read of key 1");
    ctx.expect(await ctx.sql(`SELECT COUNT(*) AS count FROM ${table}`, { asUser: bob.id }), succeeded(undefined, [['1']]), "bob's COUNT(*)");
    ctx.expect(await ctx.sql(`SELECT message_id, content FROM ${table}`, { asUser: bob.id }), succeeded(undefined, [['1', 'Bob message 1']]), "bob's rows");
    ctx.expect(await ctx.sql(`SELECT COUNT(*) AS count FROM ${table}`), succeeded(undefined, [['0']]), "root's COUNT(*) (root's own rows)");
  },
};
