import type { SuiteCheck } from '../../types.js';
import { ownNamespace, succeeded } from '../expectations.js';
import { burst, expectAllSucceeded } from './burst.js';

const INSERTS = 50;

/** Seed: test_rapid_inserts (50 INSERTs one after another, as fast as acknowledged). */
export const rapidInserts: SuiteCheck = {
  id: 'backpressure/rapid-inserts',
  category: 'backpressure',
  expectation: `${INSERTS} INSERTs sent back to back are each acknowledged, none refused or throttled, and all ${INSERTS} rows read back`,
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'rapid');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.log (id BIGINT PRIMARY KEY, v TEXT)`), { outcome: 'success' }, 'creating the table');
    const { answers } = await burst(ctx, Array.from({ length: INSERTS }, (_, index) => `INSERT INTO ${ns}.log (id, v) VALUES (${index + 1}, 'v${index + 1}')`), 1);
    expectAllSucceeded(ctx, answers, `the ${INSERTS} INSERTs`, () => 'Inserted 1 row(s)');
    ctx.expect(await ctx.sql(`SELECT COUNT(*) AS n FROM ${ns}.log`), succeeded(undefined, [[String(INSERTS)]]), 'the count afterwards');
  },
};
