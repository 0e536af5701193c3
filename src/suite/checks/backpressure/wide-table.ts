import type { SuiteCheck } from '../../types.js';
import { ownNamespace, succeeded } from '../expectations.js';

const COLUMNS = 30;

/** Seed: test_wide_table (a table of 30 columns, one row with every column set). */
export const wideTable: SuiteCheck = {
  id: 'backpressure/wide-table',
  category: 'backpressure',
  expectation: `a table of ${COLUMNS} columns is created, listed with all ${COLUMNS} in system.columns, and a row with every column set reads back whole`,
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'wide');
    const names = Array.from({ length: COLUMNS - 1 }, (_, index) => `c${index + 1}`);
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.wide (id BIGINT PRIMARY KEY, ${names.map((name) => `${name} TEXT`).join(', ')})`), { outcome: 'success' }, `creating the ${COLUMNS}-column table`);
    const columns = await ctx.sql(`SELECT COUNT(*) AS n FROM system.columns WHERE namespace_id = '${ns}' AND table_name = 'wide' AND column_name <> '_seq' AND column_name <> '_deleted'`);
    ctx.expect(columns, succeeded(undefined, [[String(COLUMNS)]]), 'the columns system.columns lists');
    ctx.expect(await ctx.sql(`INSERT INTO ${ns}.wide (id, ${names.join(', ')}) VALUES (1, ${names.map((name) => `'${name}'`).join(', ')})`), succeeded('Inserted 1 row(s)'), 'the INSERT of every column');
    ctx.expect(await ctx.sql(`SELECT id, ${names.join(', ')} FROM ${ns}.wide`), succeeded(undefined, [['1', ...names]]), 'the row afterwards');
  },
};
