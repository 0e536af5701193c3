import type { SuiteCheck } from '../../types.js';
import { expectEach, ownNamespace, refused, succeeded, type StatementCase } from '../expectations.js';

const invalid = (detail: string) => refused('INVALID_SQL', `Invalid CREATE TABLE statement: ${detail}`);

/**
 * Seed: test_invalid_flush_policy_rejected (rows:abc, rows:-100, interval:xyz, unknown:1000, rows:,
 * empty), plus INTERFACE.md's bounds: rows 1..999999, interval 1..86399 s, each bound accepted.
 */
export const invalidFlushPolicy: SuiteCheck = {
  id: 'startup/invalid-flush-policy',
  category: 'startup',
  expectation: "CREATE TABLE refuses a FLUSH_POLICY other than 'rows:N' (1..999999) and/or 'interval:S' (1..86399) with KalamDB's error, and accepts the bounds",
  async run(ctx) {
    const namespace = await ownNamespace(ctx, 'flushpolicy');
    let table = 0;
    const create = (policy: string, expect: StatementCase['expect']): StatementCase => ({
      sql: `CREATE TABLE ${namespace}.t${++table} (id BIGINT PRIMARY KEY, v TEXT) WITH (TYPE = 'USER', FLUSH_POLICY = '${policy}')`,
      expect,
      what: `FLUSH_POLICY '${policy}'`,
    });
    const created = () => succeeded(`CREATE TABLE via Raft consensus: user table ${namespace}.t${table} created successfully`);
    const cases: StatementCase[] = [
      create('rows:abc', invalid('Invalid row limit in FLUSH_POLICY')),
      create('rows:-100', invalid('Invalid row limit in FLUSH_POLICY')),
      create('interval:xyz', invalid('Invalid interval in FLUSH_POLICY')),
      create('unknown:1000', invalid("Unknown FLUSH_POLICY key 'unknown'")),
      create('rows:', invalid('Invalid row limit in FLUSH_POLICY')),
      create('', invalid("Invalid FLUSH_POLICY format ''. Expected 'key:value'")),
      create('bogus', invalid("Invalid FLUSH_POLICY format 'bogus'. Expected 'key:value'")),
      create('rows:0', invalid("FLUSH_POLICY must specify 'rows' or 'interval' > 0")),
      create('interval:0', invalid("FLUSH_POLICY must specify 'rows' or 'interval' > 0")),
      create('rows:1000000', invalid('Row limit must be less than 1,000,000')),
      create('interval:86400', invalid('Interval must be less than 86400 seconds (24 hours)')),
    ];
    await expectEach(ctx, cases);
    // The bounds themselves are accepted: a server that refused every policy would not pass.
    for (const policy of ['rows:1', 'rows:999999', 'interval:1', 'interval:86399', 'rows:100,interval:60']) {
      const entry = create(policy, { outcome: 'success' });
      ctx.expect(await ctx.sql(ctx.pick(entry.sql)), created(), entry.what!);
    }
  },
};
