import type { SuiteCheck } from '../../types.js';
import { ownNamespace, refused, succeeded } from '../expectations.js';

const cast = (from: string, to: string, column: string, detail: string) =>
  refused('SQL_EXECUTION_ERROR', `Statement 1 failed: Invalid operation: Schema coercion failed: Unable to cast value ${from} to ${to} for column '${column}': Arrow error: Cast error: ${detail}`);

/**
 * Seed: test_invalid_data_types_rejected (a string into INT, DOUBLE, BOOLEAN; its statements were
 * malformed, `ns.INSERT INTO ...`, so it never reached the type check).
 */
export const typeMismatch: SuiteCheck = {
  id: 'validation/type-mismatch',
  category: 'validation',
  expectation: 'an INSERT of a value that does not fit its column (text into BIGINT, INT, DOUBLE, BOOLEAN; an INT overflow) is refused with KalamDB\'s cast error and stores nothing',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'types');
    const table = `${ns}.typed_table`;
    ctx.require(await ctx.sql(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, age INT, price DOUBLE, active BOOLEAN) WITH (TYPE = 'USER')`), { outcome: 'success' }, 'creating the table');
    const cases = [
      { sql: `INSERT INTO ${table} (id, age) VALUES (1, 'abc')`, expect: cast('Utf8', 'Int32', 'age', "Cannot cast string 'abc' to value of Int32 type") },
      { sql: `INSERT INTO ${table} (id, price) VALUES (2, 'not_a_number')`, expect: cast('Utf8', 'Float64', 'price', "Cannot cast string 'not_a_number' to value of Float64 type") },
      { sql: `INSERT INTO ${table} (id, active) VALUES (3, 'maybe')`, expect: cast('Utf8', 'Boolean', 'active', "Cannot cast value 'maybe' to value of Boolean type") },
      { sql: `INSERT INTO ${table} (id, age) VALUES ('abc', 1)`, expect: cast('Utf8', 'Int64', 'id', "Cannot cast string 'abc' to value of Int64 type") },
      { sql: `INSERT INTO ${table} (id, age) VALUES (4, 99999999999)`, expect: cast('Int64', 'Int32', 'age', "Can't cast value 99999999999 to type Int32") },
    ];
    for (const entry of cases) ctx.expect(await ctx.sql(entry.sql), entry.expect, entry.sql);
    // A value that does fit is stored: the refusals above are about the values, not the table.
    ctx.expect(await ctx.sql(`INSERT INTO ${table} (id, age, price, active) VALUES (5, '42', 1.5, true)`), succeeded('Inserted 1 row(s)'), 'an INSERT of fitting values');
    ctx.expect(await ctx.sql(`SELECT id, age, price, active FROM ${table}`), succeeded(undefined, [['5', 42, 1.5, true]]), 'the rows afterwards');
  },
};
