import type { SuiteCheck } from '../../types.js';
import { ownNamespace } from '../expectations.js';
import { expectSubscription } from './subscribe-answer.js';

/** Seed: test_subscribe_to_stream_table / test_subscribe_to_shared_table. */
export const subscribeTableTypes: SuiteCheck = {
  id: 'subscriptions/stream-and-shared-tables',
  category: 'subscriptions',
  expectation: 'SUBSCRIBE TO a STREAM table and to a SHARED table each answer an active subscription (over SQL; a WebSocket refuses SHARED tables later)',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'subtypes');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.events (event_id TEXT PRIMARY KEY, payload TEXT) WITH (TYPE = 'STREAM', TTL_SECONDS = 60)`), { outcome: 'success' }, 'creating the STREAM table');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.app_config (k TEXT PRIMARY KEY, v TEXT) WITH (TYPE = 'SHARED')`), { outcome: 'success' }, 'creating the SHARED table');
    expectSubscription(ctx, await ctx.sql(`SUBSCRIBE TO ${ns}.events`), 'SUBSCRIBE TO the STREAM table', { namespace: ns, table: 'events', sql: `SELECT * FROM ${ns}.events` });
    expectSubscription(ctx, await ctx.sql(`SUBSCRIBE TO ${ns}.app_config`), 'SUBSCRIBE TO the SHARED table', { namespace: ns, table: 'app_config', sql: `SELECT * FROM ${ns}.app_config` });
  },
};
