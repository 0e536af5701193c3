import type { SuiteCheck } from '../../types.js';
import { refused, succeeded } from '../expectations.js';

/** Seed: test_drop_nonexistent_namespace_with_if_exists / _without_if_exists, and the drop of a namespace that exists. */
export const dropNamespace: SuiteCheck = {
  id: 'startup/drop-namespace',
  category: 'startup',
  expectation: 'DROP NAMESPACE of a missing namespace is refused and succeeds with IF EXISTS; an existing one (with a table) is dropped, tables and all',
  async run(ctx) {
    const missing = ctx.name('missing');
    ctx.expect(await ctx.sql(`DROP NAMESPACE IF EXISTS ${missing}`), succeeded(`Namespace '${missing}' does not exist`), 'DROP NAMESPACE IF EXISTS of a missing namespace');
    ctx.expect(await ctx.sql(`DROP NAMESPACE ${missing}`), refused('SQL_EXECUTION_ERROR', `Statement 1 failed: Not found: Namespace '${missing}' not found`), 'DROP NAMESPACE of a missing namespace');

    const present = ctx.name('present');
    ctx.cleanup(`DROP NAMESPACE IF EXISTS ${present} CASCADE`);
    ctx.require(await ctx.sql(`CREATE NAMESPACE ${present}`), { outcome: 'success' }, `creating ${present}`);
    ctx.require(await ctx.sql(`CREATE TABLE ${present}.t (id BIGINT PRIMARY KEY, v TEXT)`), { outcome: 'success' }, `creating ${present}.t`);
    ctx.expect(await ctx.sql(`DROP NAMESPACE ${present}`), succeeded(`Namespace '${present}' dropped successfully`), 'DROP NAMESPACE of a namespace holding a table');
    ctx.expect(await ctx.sql(`SELECT namespace_id FROM system.namespaces WHERE namespace_id = '${present}'`), succeeded(undefined, []), 'system.namespaces after the drop');
    ctx.expect(await ctx.sql(`SELECT table_name FROM system.tables WHERE namespace_id = '${present}'`), succeeded(undefined, []), 'system.tables after the drop');

    const empty = ctx.name('empty');
    ctx.cleanup(`DROP NAMESPACE IF EXISTS ${empty} CASCADE`);
    ctx.require(await ctx.sql(`CREATE NAMESPACE ${empty}`), { outcome: 'success' }, `creating ${empty}`);
    ctx.expect(await ctx.sql(`DROP NAMESPACE IF EXISTS ${empty}`), succeeded(`Namespace '${empty}' dropped successfully`), 'DROP NAMESPACE IF EXISTS of an existing namespace');
  },
};
