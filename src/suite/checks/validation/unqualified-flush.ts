import type { SuiteCheck } from '../../types.js';
import { versioned } from '../../versioned.js';
import { ownNamespace, REFUSED, refused, succeeded } from '../expectations.js';
import { FLUSH, FLUSH_SYNTAX } from './flush-stream-table.js';

/** Seed: test_invalid_flush_table_format (`FLUSH TABLE messages`, without a namespace, must fail). */
export const unqualifiedFlush: SuiteCheck = {
  id: 'validation/unqualified-flush',
  category: 'validation',
  expectation: 'a flush of a table named without its namespace is refused (KalamDB: the name must be qualified); qualified, the same table flushes',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'unqualified');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.messages (id BIGINT PRIMARY KEY, v TEXT)`), { outcome: 'success' }, 'creating the table');
    ctx.expect(
      await ctx.sql(ctx.pick(FLUSH('messages'))),
      versioned(REFUSED, { '0.4.3': refused('INVALID_SQL', 'Table name must be qualified (namespace.table) for STORAGE FLUSH TABLE') }, FLUSH_SYNTAX),
      'the flush of an unqualified table name',
    );
    ctx.expect(await ctx.sql(ctx.pick(FLUSH(`${ns}.messages`))), versioned({ outcome: 'success' }, { '0.4.3': succeeded(`Storage flush skipped: no pending writes for table '${ns}.messages'`) }, FLUSH_SYNTAX), 'the flush of the qualified name (an empty table)');
  },
};
