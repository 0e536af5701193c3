import type { SuiteCheck } from '../../types.js';
import { ownNamespace, refusedMentioning, succeeded } from '../expectations.js';

const violation = (column: string) => refusedMentioning('SQL_EXECUTION_ERROR', `NOT NULL constraint violation: column '${column}' cannot be NULL`);

/** Seed: test_null_constraint_violations (an INSERT that leaves out a NOT NULL column fails, naming NULL). */
export const notNull: SuiteCheck = {
  id: 'validation/not-null',
  category: 'validation',
  expectation: 'an INSERT that leaves a NOT NULL column (without DEFAULT) out or sets it NULL, and an UPDATE to NULL, are refused naming the column; nothing is stored',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'notnull');
    const table = `${ns}.required_fields`;
    ctx.require(await ctx.sql(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, name TEXT NOT NULL, email TEXT) WITH (TYPE = 'USER')`), { outcome: 'success' }, 'creating the table');
    ctx.expect(await ctx.sql(`INSERT INTO ${table} (id, email) VALUES (1, 'test@example.com')`), refusedMentioning(undefined, /NOT NULL|null|required/i), 'an INSERT without the NOT NULL column');
    ctx.expect(await ctx.sql(`INSERT INTO ${table} (id, name, email) VALUES (2, NULL, 'x@example.com')`), violation('name'), 'an INSERT of NULL into the NOT NULL column');
    ctx.expect(await ctx.sql(`INSERT INTO ${table} (id, name) VALUES (NULL, 'nobody')`), violation('id'), 'an INSERT of a NULL primary key');
    ctx.require(await ctx.sql(`INSERT INTO ${table} (id, name, email) VALUES (3, 'Carol', NULL)`), succeeded('Inserted 1 row(s)'), 'an INSERT with the NOT NULL column set');
    ctx.expect(await ctx.sql(`UPDATE ${table} SET name = NULL WHERE id = 3`), violation('name'), 'an UPDATE of the NOT NULL column to NULL');
    ctx.expect(await ctx.sql(`SELECT id, name, email FROM ${table} ORDER BY id`), succeeded(undefined, [['3', 'Carol', null]]), 'the rows afterwards');
  },
};
