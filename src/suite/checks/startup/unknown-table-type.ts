import type { SuiteCheck } from '../../types.js';
import { expectEach, ownNamespace, refused, succeeded } from '../expectations.js';

const invalidType = (type: string) => refused('INVALID_SQL', `Invalid CREATE TABLE statement: Invalid TYPE option '${type}'. Supported: USER, SHARED, STREAM`);

/** Seed: test_unknown_table_type_rejected (TYPE='UNKNOWN'). */
export const unknownTableType: SuiteCheck = {
  id: 'startup/unknown-table-type',
  category: 'startup',
  expectation: "a table TYPE other than USER, SHARED or STREAM (any case) is refused with KalamDB's error, and SYSTEM tables cannot be created",
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'tabletype');
    await expectEach(ctx, [
      { sql: `CREATE TABLE ${ns}.bad_type_table (id BIGINT PRIMARY KEY) WITH (TYPE = 'UNKNOWN')`, expect: invalidType('UNKNOWN') },
      { sql: `CREATE TABLE ${ns}.empty_type (id BIGINT PRIMARY KEY) WITH (TYPE = '')`, expect: invalidType('') },
      {
        sql: `CREATE TABLE ${ns}.system_type (id BIGINT PRIMARY KEY) WITH (TYPE = 'SYSTEM')`,
        expect: refused('SQL_EXECUTION_ERROR', 'Statement 1 failed: Invalid operation: Cannot create SYSTEM tables via SQL'),
      },
      {
        sql: `CREATE BOGUS TABLE ${ns}.bogus (id BIGINT PRIMARY KEY)`,
        expect: refused('INVALID_SQL', 'sql parser error: Expected: an object type after CREATE, found: BOGUS at Line: 1, Column: 8'),
      },
      { sql: `CREATE TABLE ${ns}.lower_case (id BIGINT PRIMARY KEY) WITH (TYPE = 'user')`, expect: succeeded(`CREATE TABLE via Raft consensus: user table ${ns}.lower_case created successfully`) },
    ]);
  },
};
