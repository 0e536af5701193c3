import type { SuiteCheck } from '../../types.js';
import { refused, succeeded } from '../expectations.js';

/** Seed: test_multiple_namespaces_creation (prod, staging, dev, test). */
export const severalNamespaces: SuiteCheck = {
  id: 'startup/several-namespaces',
  category: 'startup',
  expectation: 'four namespaces made with CREATE NAMESPACE IF NOT EXISTS are all in system.namespaces; IF NOT EXISTS again succeeds, without it is refused',
  async run(ctx) {
    const namespaces = ['prod', 'staging', 'dev', 'test'].map((name) => ctx.name(name));
    for (const namespace of namespaces) {
      ctx.cleanup(`DROP NAMESPACE IF EXISTS ${namespace} CASCADE`);
      ctx.expect(await ctx.sql(`CREATE NAMESPACE IF NOT EXISTS ${namespace}`), succeeded(`Namespace '${namespace}' created successfully`), `creating ${namespace}`);
    }
    const listed = await ctx.sql(`SELECT namespace_id FROM system.namespaces WHERE namespace_id IN (${namespaces.map((namespace) => `'${namespace}'`).join(', ')}) ORDER BY namespace_id`);
    if (ctx.expect(listed, { outcome: 'success' }, 'listing system.namespaces')) {
      const ids = new Set((listed.rows ?? []).map((row) => row[0]));
      const missing = namespaces.filter((namespace) => !ids.has(namespace));
      if (missing.length > 0) ctx.problem(`system.namespaces does not list ${missing.join(', ')}`);
    }
    const again = namespaces[0]!;
    ctx.expect(await ctx.sql(`CREATE NAMESPACE IF NOT EXISTS ${again}`), succeeded(`Namespace '${again}' already exists`), 'CREATE NAMESPACE IF NOT EXISTS of an existing namespace');
    ctx.expect(await ctx.sql(`CREATE NAMESPACE ${again}`), refused('SQL_EXECUTION_ERROR', `Statement 1 failed: Already exists: Namespace '${again}' already exists`), 'CREATE NAMESPACE of an existing namespace');
  },
};
