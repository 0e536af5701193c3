import type { SuiteCheck } from '../../types.js';
import { expectEach, ownNamespace, refused } from '../expectations.js';

/** Seed: test_invalid_subscribe_syntax, and OPTIONS the server cannot honour. */
export const subscribeBadSyntax: SuiteCheck = {
  id: 'subscriptions/bad-syntax',
  category: 'subscriptions',
  expectation: "a SUBSCRIBE without TO or without a table, an incomplete WHERE, OPTIONS without parentheses, an unknown option and a last_rows that is no number are refused as INVALID_SQL, saying what is wrong",
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'subsyntax');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.messages (id BIGINT PRIMARY KEY, body TEXT) WITH (TYPE = 'USER')`), { outcome: 'success' }, 'creating the USER table');
    const t = `${ns}.messages`;
    await expectEach(ctx, [
      { sql: `SUBSCRIBE ${t}`, expect: refused('INVALID_SQL', 'sql parser error: Expected: an SQL statement, found: SUBSCRIBE at Line: 1, Column: 1'), what: 'SUBSCRIBE without TO' },
      { sql: 'SUBSCRIBE TO', expect: refused('INVALID_SQL', "Expected 'SUBSCRIBE TO' command"), what: 'SUBSCRIBE TO without a table' },
      { sql: `SUBSCRIBE TO ${t} WHERE`, expect: refused('INVALID_SQL', 'Failed to parse SUBSCRIBE TO as SELECT: sql parser error: Expected: an expression, found: EOF'), what: 'an incomplete WHERE' },
      { sql: `SUBSCRIBE TO ${t} OPTIONS last_rows=10`, expect: refused('INVALID_SQL', 'OPTIONS clause must be wrapped in parentheses, e.g., OPTIONS (last_rows=10)'), what: 'OPTIONS without parentheses' },
      { sql: `SUBSCRIBE TO ${t} OPTIONS (bogus=1)`, expect: refused('INVALID_SQL', "Unknown subscription option: 'bogus'. Valid options are: last_rows, batch_size, from"), what: 'an unknown option' },
      { sql: `SUBSCRIBE TO ${t} OPTIONS (last_rows=abc)`, expect: refused('INVALID_SQL', 'Invalid last_rows value: abc'), what: 'a last_rows that is no number' },
    ]);
  },
};
