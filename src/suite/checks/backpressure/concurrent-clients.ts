import type { SuiteCheck } from '../../types.js';
import { ownNamespace, succeeded } from '../expectations.js';
import { burst, expectAllSucceeded } from './burst.js';

const CLIENTS = 20;
const EACH = 5;

/** Seed: test_concurrent_clients (20 clients inserting at once). */
export const concurrentClients: SuiteCheck = {
  id: 'backpressure/concurrent-clients',
  category: 'backpressure',
  expectation: `${CLIENTS} clients inserting ${EACH} rows each at the same time are all acknowledged, and all ${CLIENTS * EACH} rows read back`,
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'clients');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.events (id BIGINT PRIMARY KEY, client INT, v TEXT)`), { outcome: 'success' }, 'creating the table');
    const statements = Array.from({ length: CLIENTS * EACH }, (_, index) => `INSERT INTO ${ns}.events (id, client, v) VALUES (${index + 1}, ${index % CLIENTS}, 'event ${index + 1}')`);
    const { answers } = await burst(ctx, statements, CLIENTS);
    expectAllSucceeded(ctx, answers, `the ${statements.length} concurrent INSERTs`, () => 'Inserted 1 row(s)');
    ctx.expect(await ctx.sql(`SELECT COUNT(*) AS n FROM ${ns}.events`), succeeded(undefined, [[String(CLIENTS * EACH)]]), 'the count afterwards');
  },
};
