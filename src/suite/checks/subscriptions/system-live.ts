import type { SuiteCheck } from '../../types.js';
import { versioned } from '../../versioned.js';
import { ownNamespace, succeeded } from '../expectations.js';

const LIVE_TABLE = versioned('system.live_queries', { '0.4.3': 'system.live' }, '`system.live_queries` is `system.live`');

/** The columns of system.live (measured on 0.4.3-rc.4). */
const LIVE_COLUMNS = ['live_id', 'connection_id', 'subscription_id', 'namespace_id', 'table_name', 'user_id', 'query', 'options', 'status', 'created_at', 'last_update', 'changes', 'node_id', 'last_ping_at'];

/** Seed: test_query_live_queries_table (system.live_queries lists active subscriptions). */
export const systemLive: SuiteCheck = {
  id: 'subscriptions/system-live',
  category: 'subscriptions',
  expectation: 'system.live answers with its columns, and a SUBSCRIBE TO over SQL (no WebSocket connected) lists no live query for its table',
  async run(ctx) {
    const live = ctx.pick(LIVE_TABLE);
    const all = await ctx.sql(`SELECT * FROM ${live}`);
    if (ctx.expect(all, { outcome: 'success' }, `SELECT * FROM ${live}`) && JSON.stringify(all.columns) !== JSON.stringify(LIVE_COLUMNS)) {
      ctx.problem(`${live}: expected the columns ${LIVE_COLUMNS.join(', ')}, got ${JSON.stringify(all.columns)}`);
    }
    const ns = await ownNamespace(ctx, 'sublive');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.messages (id BIGINT PRIMARY KEY, body TEXT) WITH (TYPE = 'USER')`), { outcome: 'success' }, 'creating the USER table');
    ctx.require(await ctx.sql(`SUBSCRIBE TO ${ns}.messages`), { outcome: 'success' }, 'SUBSCRIBE TO the table');
    ctx.expect(await ctx.sql(`SELECT subscription_id FROM ${live} WHERE namespace_id = '${ns}'`), succeeded(undefined, []), `${live} after a SUBSCRIBE TO over SQL`);
  },
};
