import type { SuiteCheck } from '../../types.js';
import { versioned } from '../../versioned.js';

interface SystemTableColumns {
  readonly table: string;
  /** Columns that must be in `SELECT * ... LIMIT 0`'s schema, in any order. */
  readonly columns: readonly string[];
}

/**
 * Seed: test_system_tables_schema_consistent (system.users only). The columns at 0.4.3 are the
 * binary's (INTERFACE.md, "Checked against the real server"): system.users has no `username`, and
 * system.live_queries became system.live.
 */
export const SYSTEM_TABLE_COLUMNS = versioned<readonly SystemTableColumns[]>(
  [{ table: 'users', columns: ['user_id', 'username', 'password_hash', 'role', 'email', 'auth_type', 'created_at', 'updated_at'] }],
  {
    '0.4.3': [
      { table: 'users', columns: ['user_id', 'password_hash', 'role', 'email', 'auth_type', 'auth_data', 'storage_mode', 'storage_id', 'failed_login_attempts', 'locked_until', 'last_login_at', 'created_at', 'updated_at', 'last_seen', 'deleted_at'] },
      { table: 'namespaces', columns: ['namespace_id', 'name', 'created_at', 'options', 'table_count'] },
      { table: 'tables', columns: ['namespace_id', 'table_name', 'table_type', 'storage_id', 'version', 'options', 'comment', 'updated_at', 'created_at'] },
      {
        table: 'jobs',
        columns: ['job_id', 'job_type', 'status', 'leader_status', 'parameters', 'message', 'exception_trace', 'idempotency_key', 'queue', 'priority', 'retry_count', 'max_retries', 'memory_used', 'cpu_used', 'created_at', 'updated_at', 'started_at', 'finished_at', 'node_id', 'leader_node_id'],
      },
      { table: 'storages', columns: ['storage_id', 'storage_name', 'description', 'storage_type', 'base_directory', 'credentials', 'config_json', 'shared_tables_template', 'user_tables_template', 'created_at', 'updated_at'] },
      { table: 'live', columns: ['live_id', 'connection_id', 'subscription_id', 'namespace_id', 'table_name', 'user_id', 'query', 'options', 'status', 'created_at', 'last_update', 'changes', 'node_id', 'last_ping_at'] },
      { table: 'stats', columns: ['metric_name', 'metric_value'] },
    ],
  },
  'system.users has no `username` column (the seed expects one); system.storages, system.live (was system.live_queries) and system.stats are checked too',
);

export const systemTableSchemas: SuiteCheck = {
  id: 'startup/system-table-schemas',
  category: 'startup',
  expectation: 'system.users, namespaces, tables, jobs, storages, live and stats answer SELECT * with the columns KalamDB documents',
  async run(ctx) {
    for (const { table, columns } of ctx.pick(SYSTEM_TABLE_COLUMNS)) {
      const answer = await ctx.sql(`SELECT * FROM system.${table} LIMIT 0`);
      if (!ctx.expect(answer, { outcome: 'success' }, `SELECT * FROM system.${table}`)) continue;
      const missing = columns.filter((column) => !(answer.columns ?? []).includes(column));
      if (missing.length > 0) ctx.problem(`system.${table} lacks the column(s) ${missing.join(', ')} (it has ${(answer.columns ?? []).join(', ') || 'none'})`);
    }
  },
};
