import type { SuiteCheck } from '../../types.js';
import { ownNamespace, succeeded } from '../expectations.js';
import { burst, expectAllSucceeded } from './burst.js';

const UPDATES = 30;

/** Seed: test_rapid_updates (30 UPDATEs of one row, one after another). */
export const rapidUpdates: SuiteCheck = {
  id: 'backpressure/rapid-updates',
  category: 'backpressure',
  expectation: `${UPDATES} UPDATEs of one row sent back to back each update it, and the row ends with the last value`,
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'updates');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.counter (id BIGINT PRIMARY KEY, n BIGINT)`), { outcome: 'success' }, 'creating the table');
    ctx.require(await ctx.sql(`INSERT INTO ${ns}.counter (id, n) VALUES (1, 0)`), succeeded('Inserted 1 row(s)'), 'inserting the row');
    const { answers } = await burst(ctx, Array.from({ length: UPDATES }, (_, index) => `UPDATE ${ns}.counter SET n = ${index + 1} WHERE id = 1`), 1);
    expectAllSucceeded(ctx, answers, `the ${UPDATES} UPDATEs`, () => 'Updated 1 row(s)');
    ctx.expect(await ctx.sql(`SELECT id, n FROM ${ns}.counter`), succeeded(undefined, [['1', String(UPDATES)]]), 'the row afterwards');
  },
};
