import type { SuiteCheck } from '../../types.js';
import { ownNamespace, succeeded } from '../expectations.js';

const ROWS = 100;

/** Seed: test_large_batch_insert (one INSERT of 100 rows). */
export const hundredRowInsert: SuiteCheck = {
  id: 'backpressure/hundred-row-insert',
  category: 'backpressure',
  expectation: `one INSERT of ${ROWS} rows is acknowledged as "Inserted ${ROWS} row(s)" and all ${ROWS} rows read back`,
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'batch');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.items (id BIGINT PRIMARY KEY, name TEXT)`), { outcome: 'success' }, 'creating the table');
    const values = Array.from({ length: ROWS }, (_, index) => `(${index + 1}, 'item ${index + 1}')`).join(', ');
    const answer = await ctx.sql(`INSERT INTO ${ns}.items (id, name) VALUES ${values}`);
    ctx.figure('insertMs', answer.ms);
    ctx.expect(answer, succeeded(`Inserted ${ROWS} row(s)`), `the INSERT of ${ROWS} rows`);
    ctx.expect(await ctx.sql(`SELECT COUNT(*) AS n FROM ${ns}.items`), succeeded(undefined, [[String(ROWS)]]), 'the count afterwards');
    ctx.expect(await ctx.sql(`SELECT id, name FROM ${ns}.items WHERE id = ${ROWS}`), succeeded(undefined, [[String(ROWS), `item ${ROWS}`]]), 'the last row');
  },
};
