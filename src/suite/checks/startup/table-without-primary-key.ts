import type { SuiteCheck } from '../../types.js';
import { expectEach, ownNamespace, refused, succeeded } from '../expectations.js';

/** Seed: test_table_without_primary_key_rejected (a USER table), with SHARED and two keys added. */
export const tableWithoutPrimaryKey: SuiteCheck = {
  id: 'startup/table-without-primary-key',
  category: 'startup',
  expectation: 'a USER or SHARED table without a PRIMARY KEY, or with two, is refused with KalamDB\'s error; one key is accepted',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'nokey');
    await expectEach(ctx, [
      {
        sql: `CREATE TABLE ${ns}.user_no_pk (name TEXT, value TEXT) WITH (TYPE = 'USER')`,
        expect: refused('SQL_EXECUTION_ERROR', 'Statement 1 failed: Invalid operation: User tables require a PRIMARY KEY column'),
      },
      {
        sql: `CREATE TABLE ${ns}.shared_no_pk (name TEXT, value TEXT) WITH (TYPE = 'SHARED')`,
        expect: refused('SQL_EXECUTION_ERROR', 'Statement 1 failed: Invalid operation: Shared tables require a PRIMARY KEY column'),
      },
      {
        sql: `CREATE TABLE ${ns}.default_no_pk (name TEXT, value TEXT)`,
        expect: refused('SQL_EXECUTION_ERROR', 'Statement 1 failed: Invalid operation: Shared tables require a PRIMARY KEY column'),
        what: 'a table of the default type (SHARED) without a PRIMARY KEY',
      },
      {
        sql: `CREATE TABLE ${ns}.two_pk (id BIGINT PRIMARY KEY, name TEXT PRIMARY KEY) WITH (TYPE = 'USER')`,
        expect: refused('INVALID_SQL', 'Invalid CREATE TABLE statement: Multiple PRIMARY KEY definitions found'),
      },
      {
        sql: `CREATE TABLE ${ns}.one_pk (name TEXT PRIMARY KEY, value TEXT) WITH (TYPE = 'USER')`,
        expect: succeeded(`CREATE TABLE via Raft consensus: user table ${ns}.one_pk created successfully`),
      },
    ]);
  },
};
