import type { SuiteCheck } from '../../types.js';
import { expectEach, ownNamespace, refused, succeeded } from '../expectations.js';

const invalid = (detail: string) => refused('INVALID_SQL', `Invalid CREATE TABLE statement: ${detail}`);

/** Seed: test_invalid_ttl_seconds_rejected (-100, 0 "might be invalid", abc), with INTERFACE.md's rule that only STREAM tables take a TTL. */
export const invalidTtl: SuiteCheck = {
  id: 'startup/invalid-ttl',
  category: 'startup',
  expectation: 'TTL_SECONDS is refused when negative, fractional or not a number, on SHARED and USER tables, and when a STREAM table lacks it; 0 and 60 are accepted',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'ttl');
    const stream = (table: string, ttl: string) => `CREATE TABLE ${ns}.${table} (id TEXT PRIMARY KEY, v TEXT) WITH (TYPE = 'STREAM', TTL_SECONDS = ${ttl})`;
    await expectEach(ctx, [
      { sql: stream('negative', '-100'), expect: invalid('Invalid TTL_SECONDS') },
      { sql: stream('word', 'abc'), expect: invalid('Invalid TTL_SECONDS') },
      { sql: stream('fraction', '1.5'), expect: invalid('Invalid TTL_SECONDS') },
      { sql: `CREATE TABLE ${ns}.missing (id TEXT PRIMARY KEY, v TEXT) WITH (TYPE = 'STREAM')`, expect: invalid("STREAM tables must specify 'TTL_SECONDS'") },
      { sql: `CREATE TABLE ${ns}.shared (id BIGINT PRIMARY KEY, v TEXT) WITH (TYPE = 'SHARED', TTL_SECONDS = 60)`, expect: invalid('TTL_SECONDS is only supported for STREAM tables') },
      { sql: `CREATE TABLE ${ns}.per_user (id BIGINT PRIMARY KEY, v TEXT) WITH (TYPE = 'USER', TTL_SECONDS = 60)`, expect: invalid('TTL_SECONDS is only supported for STREAM tables') },
      { sql: stream('zero', '0'), expect: succeeded(`CREATE TABLE via Raft consensus: stream table ${ns}.zero created successfully`) },
      { sql: stream('minute', '60'), expect: succeeded(`CREATE TABLE via Raft consensus: stream table ${ns}.minute created successfully`) },
    ]);
  },
};
