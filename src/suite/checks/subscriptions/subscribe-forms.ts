import type { SuiteCheck } from '../../types.js';
import { ownNamespace } from '../expectations.js';
import { expectSubscription } from './subscribe-answer.js';

/** Seed: test_subscribe_returns_metadata, _with_where_clause, _with_options (last_rows), concurrent SUBSCRIBE commands. */
export const subscribeForms: SuiteCheck = {
  id: 'subscriptions/subscribe-forms',
  category: 'subscriptions',
  expectation: 'SUBSCRIBE TO a USER table, with WHERE, with OPTIONS (last_rows=N), both, in lower case and five at once, each answers an active subscription (id, ws_url) whose SQL is the SELECT it asked for',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'subforms');
    const table = 'messages';
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.${table} (id BIGINT PRIMARY KEY, body TEXT) WITH (TYPE = 'USER')`), { outcome: 'success' }, 'creating the USER table');
    const target = { namespace: ns, table };
    const all = `SELECT * FROM ${ns}.${table}`;
    const filtered = `${all} WHERE id > 5`;
    const cases = [
      { sql: `SUBSCRIBE TO ${ns}.${table}`, expect: all, what: 'SUBSCRIBE TO the table' },
      { sql: `SUBSCRIBE TO ${ns}.${table} WHERE id > 5`, expect: filtered, what: 'SUBSCRIBE TO with WHERE' },
      { sql: `SUBSCRIBE TO ${ns}.${table} OPTIONS (last_rows=10)`, expect: all, what: 'SUBSCRIBE TO with OPTIONS (last_rows=10)' },
      { sql: `SUBSCRIBE TO ${ns}.${table} WHERE id > 5 OPTIONS (last_rows=5, batch_size=10)`, expect: filtered, what: 'SUBSCRIBE TO with WHERE and OPTIONS' },
      { sql: `subscribe to ${ns}.${table}`, expect: all, what: 'subscribe to in lower case' },
    ];
    for (const entry of cases) expectSubscription(ctx, await ctx.sql(entry.sql), entry.what, { ...target, sql: entry.expect });
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => ctx.sql(`SUBSCRIBE TO ${ns}.${table}`)));
    const ids = new Set<unknown>();
    concurrent.forEach((answer, index) => {
      if (expectSubscription(ctx, answer, `concurrent SUBSCRIBE ${index + 1} of 5`, { ...target, sql: all })) ids.add((answer.rows![0]![2] as { id: unknown }).id);
    });
    if (ids.size !== concurrent.filter((answer) => answer.kind === 'success').length) ctx.problem(`concurrent SUBSCRIBE: expected 5 distinct subscription ids, got ${ids.size}`);
  },
};
