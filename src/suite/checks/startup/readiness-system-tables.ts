import type { Answer, SuiteCheck } from '../../types.js';
import { succeeded } from '../expectations.js';
import { waitForReadiness } from './fresh-readiness.js';

/**
 * Seed: test_server_readiness_check_via_system_tables (COUNT(*) FROM system.tables, asserted
 * `>= 0`). Here on a server of its own: the moment it is ready as the harness defines it
 * (/health 200, then SELECT 1), its system tables answer, root and the local storage listed.
 */
export const readinessSystemTables: SuiteCheck = {
  id: 'startup/readiness-system-tables',
  category: 'startup',
  expectation: 'on a new server, as soon as /health is 200 and SELECT 1 succeeds, system.tables, namespaces, users (root) and storages (local) answer',
  needs: ['fresh-server'],
  async run(ctx) {
    const server = await ctx.launchFresh!();
    const ready = await waitForReadiness(ctx, server);
    if (!ready) return;
    const ask = async (statement: string): Promise<Answer> => {
      const answer = await server.sql(statement);
      ctx.record({ statement, session: 'root (new server)', answer });
      return answer;
    };
    const count = await ask('SELECT COUNT(*) AS table_count FROM system.tables');
    if (ctx.expect(count, { outcome: 'success' }, 'COUNT(*) of system.tables right after readiness') && !/^\d+$/.test(String(count.rows?.[0]?.[0]))) {
      ctx.problem(`COUNT(*) of system.tables answered ${JSON.stringify(count.rows)}, not a count`);
    }
    ctx.expect(await ask('SELECT namespace_id FROM system.namespaces'), { outcome: 'success' }, 'system.namespaces right after readiness');
    ctx.expect(await ask("SELECT user_id FROM system.users WHERE user_id = 'root'"), succeeded(undefined, [['root']]), 'root in system.users right after readiness');
    ctx.expect(await ask("SELECT storage_id FROM system.storages WHERE storage_id = 'local'"), succeeded(undefined, [['local']]), 'the local storage in system.storages right after readiness');
  },
};
