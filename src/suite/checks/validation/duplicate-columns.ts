import type { SuiteCheck } from '../../types.js';
import { expectEach, ownNamespace, refused, succeeded } from '../expectations.js';

const duplicate = (name: string) => refused('INVALID_SQL', `Invalid CREATE TABLE statement: Duplicate column name '${name}'. Column names are case-insensitive.`);

/** Seed: test_duplicate_column_names_rejected (two columns `name`). */
export const duplicateColumns: SuiteCheck = {
  id: 'validation/duplicate-columns',
  category: 'validation',
  expectation: 'CREATE TABLE with two columns of the same name (case-insensitive, the key included) is refused with KalamDB\'s error and creates nothing',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'dupcols');
    await expectEach(ctx, [
      { sql: `CREATE TABLE ${ns}.dup_columns (id BIGINT PRIMARY KEY, name TEXT, name TEXT) WITH (TYPE = 'USER')`, expect: duplicate('name') },
      { sql: `CREATE TABLE ${ns}.dup_case (id BIGINT PRIMARY KEY, a TEXT, A BIGINT)`, expect: duplicate('A') },
      { sql: `CREATE TABLE ${ns}.dup_key (id BIGINT PRIMARY KEY, id TEXT)`, expect: duplicate('id') },
    ]);
    ctx.expect(await ctx.sql(`SELECT table_name FROM system.tables WHERE namespace_id = '${ns}'`), succeeded(undefined, []), 'system.tables afterwards');
  },
};
