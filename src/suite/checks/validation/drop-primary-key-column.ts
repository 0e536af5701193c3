import type { SuiteCheck } from '../../types.js';
import { ownNamespace, REFUSED, succeeded } from '../expectations.js';

/** Not in the seed: the companion of dropping system columns. A table is keyed by its PRIMARY KEY; it cannot lose it. */
export const dropPrimaryKeyColumn: SuiteCheck = {
  id: 'validation/drop-primary-key-column',
  category: 'validation',
  expectation: 'ALTER TABLE ... DROP COLUMN of the PRIMARY KEY column is refused, and system.columns still lists the key',
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'droppk');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.keyed (id BIGINT PRIMARY KEY, v TEXT)`), { outcome: 'success' }, 'creating the table');
    ctx.require(await ctx.sql(`INSERT INTO ${ns}.keyed (id, v) VALUES (1, 'a')`), { outcome: 'success' }, 'inserting a row');
    ctx.expect(await ctx.sql(`ALTER TABLE ${ns}.keyed DROP COLUMN id`), REFUSED, 'DROP COLUMN of the PRIMARY KEY column');
    ctx.expect(
      await ctx.sql(`SELECT column_name, primary_key FROM system.columns WHERE namespace_id = '${ns}' AND table_name = 'keyed' AND column_name = 'id'`),
      succeeded(undefined, [['id', true]]),
      'the key column in system.columns afterwards',
    );
  },
};
