import type { SuiteCheck } from '../../types.js';
import { versioned } from '../../versioned.js';
import { ownNamespace, refused, refusedMentioning } from '../expectations.js';

export const FLUSH_SYNTAX = 'a flush is `STORAGE FLUSH TABLE ns.t` (the seed sends `FLUSH TABLE`, which 0.4.3 refuses as an unsupported statement)';

export const FLUSH = (table: string) => versioned(`FLUSH TABLE ${table}`, { '0.4.3': `STORAGE FLUSH TABLE ${table}` }, FLUSH_SYNTAX);

/** Seed: test_operations_on_wrong_table_types (FLUSH of a STREAM table fails, saying why). */
export const flushStreamTable: SuiteCheck = {
  id: 'validation/flush-stream-table',
  category: 'validation',
  expectation: 'a flush of a STREAM table is refused, saying STREAM tables do not flush',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'flushstream');
    ctx.require(
      await ctx.sql(`CREATE TABLE ${ns}.stream_events (event_id TEXT PRIMARY KEY, payload TEXT) WITH (TYPE = 'STREAM', TTL_SECONDS = 10)`),
      { outcome: 'success' },
      'creating the STREAM table',
    );
    const answer = await ctx.sql(ctx.pick(FLUSH(`${ns}.stream_events`)));
    ctx.expect(
      answer,
      versioned(refusedMentioning(undefined, /stream|flush|not supported/i), { '0.4.3': refused('SQL_EXECUTION_ERROR', 'Statement 1 failed: Invalid operation: STORAGE FLUSH TABLE is not supported for STREAM tables') }, FLUSH_SYNTAX),
      'the flush of a STREAM table',
    );
  },
};

