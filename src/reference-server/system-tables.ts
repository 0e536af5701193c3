import { join } from 'node:path';
import { sqlTypeName, tableColumns } from './table-schema.js';
import type { ColumnTypeName } from './sql/ast.js';
import type { DatabaseState, JobRecord, TableDefinition, UserRecord } from './state.js';
import type { ResultColumn, Row } from './query.js';

/** What a system table may show besides the catalog. */
export interface SystemContext {
  readonly dataDir: string;
}

export interface SystemTable {
  readonly columns: readonly ResultColumn[];
  rows(state: DatabaseState, context: SystemContext): Row[];
}

const STARTED_AT = Date.now();

/**
 * The `system.*` views the harness reads, computed from the durable catalog, with the columns
 * (names, order, data types, flags) kalamdb-server 0.4.3-rc.4 answers with.
 */
export const SYSTEM_TABLES: Readonly<Record<string, SystemTable>> = {
  namespaces: {
    columns: [
      { name: 'namespace_id', data_type: 'Text', flags: ['pk', 'nn', 'uq'] },
      { name: 'name', data_type: 'Text', flags: ['nn'] },
      { name: 'created_at', data_type: 'Timestamp', flags: ['nn'] },
      { name: 'options', data_type: 'Json' },
      { name: 'table_count', data_type: 'Int', flags: ['nn'] },
    ],
    rows: (state) =>
      [...state.namespaces.values()].map((namespace) => ({
        namespace_id: namespace.name,
        name: namespace.name,
        created_at: namespace.createdAt,
        options: '{}',
        table_count: [...state.tables.values()].filter((table) => table.definition.namespace === namespace.name).length,
      })),
  },
  jobs: {
    columns: [
      { name: 'job_id', data_type: 'Text', flags: ['pk', 'nn', 'uq'] },
      { name: 'job_type', data_type: 'Text', flags: ['nn'] },
      { name: 'status', data_type: 'Text', flags: ['nn'] },
      { name: 'leader_status', data_type: 'Text' },
      { name: 'parameters', data_type: 'Json' },
      { name: 'message', data_type: 'Text' },
      { name: 'exception_trace', data_type: 'Text' },
      { name: 'idempotency_key', data_type: 'Text' },
      { name: 'queue', data_type: 'Text' },
      { name: 'priority', data_type: 'Int' },
      { name: 'retry_count', data_type: 'SmallInt', flags: ['nn'] },
      { name: 'max_retries', data_type: 'SmallInt', flags: ['nn'] },
      { name: 'memory_used', data_type: 'BigInt' },
      { name: 'cpu_used', data_type: 'BigInt' },
      { name: 'created_at', data_type: 'Timestamp', flags: ['nn'] },
      { name: 'updated_at', data_type: 'Timestamp', flags: ['nn'] },
      { name: 'started_at', data_type: 'Timestamp' },
      { name: 'finished_at', data_type: 'Timestamp' },
      { name: 'node_id', data_type: 'BigInt', flags: ['nn'] },
      { name: 'leader_node_id', data_type: 'BigInt' },
    ],
    rows: (state) => [...state.jobs.values()].map((job) => jobRow(state, job)),
  },
  tables: {
    columns: [
      { name: 'namespace_id', data_type: 'Text', flags: ['nn'] },
      { name: 'table_name', data_type: 'Text', flags: ['nn'] },
      { name: 'table_type', data_type: 'Text', flags: ['nn'] },
      { name: 'storage_id', data_type: 'Text' },
      { name: 'version', data_type: 'BigInt', flags: ['nn'] },
      { name: 'options', data_type: 'Text' },
      { name: 'comment', data_type: 'Text' },
      { name: 'updated_at', data_type: 'Timestamp', flags: ['nn'] },
      { name: 'created_at', data_type: 'Timestamp', flags: ['nn'] },
    ],
    rows: (state) =>
      [...state.tables.values()].map(({ definition }) => ({
        namespace_id: definition.namespace,
        table_name: definition.name,
        table_type: definition.type,
        storage_id: definition.storageId,
        version: definition.schemaVersion,
        options: tableOptions(definition),
        comment: null,
        // system.tables gives microseconds (measured), unlike the other system tables.
        updated_at: definition.createdAt * 1000,
        created_at: definition.createdAt * 1000,
      })),
  },
  users: {
    columns: [
      { name: 'user_id', data_type: 'Text', flags: ['pk', 'nn', 'uq'] },
      { name: 'password_hash', data_type: 'Text', flags: ['nn'] },
      { name: 'role', data_type: 'Text', flags: ['nn'] },
      { name: 'email', data_type: 'Text' },
      { name: 'auth_type', data_type: 'Text', flags: ['nn'] },
      { name: 'auth_data', data_type: 'Json' },
      { name: 'storage_mode', data_type: 'Text', flags: ['nn'] },
      { name: 'storage_id', data_type: 'Text' },
      { name: 'failed_login_attempts', data_type: 'Int', flags: ['nn'] },
      { name: 'locked_until', data_type: 'Timestamp' },
      { name: 'last_login_at', data_type: 'Timestamp' },
      { name: 'created_at', data_type: 'Timestamp', flags: ['nn'] },
      { name: 'updated_at', data_type: 'Timestamp', flags: ['nn'] },
      { name: 'last_seen', data_type: 'Timestamp' },
      { name: 'deleted_at', data_type: 'Timestamp' },
    ],
    // Root's password hash is not shown (the reference server keeps none); neither are those of
    // CREATE USER accounts (the binary shows bcrypt hashes). Rows come in user_id byte order.
    rows: (state) =>
      [ROOT_USER, ...[...state.users.values()].map(userRow)].sort((a, b) => (String(a.user_id) < String(b.user_id) ? -1 : 1)),
  },
  storages: {
    columns: [
      { name: 'storage_id', data_type: 'Text', flags: ['pk', 'nn', 'uq'] },
      { name: 'storage_name', data_type: 'Text', flags: ['nn'] },
      { name: 'description', data_type: 'Text' },
      { name: 'storage_type', data_type: 'Text', flags: ['nn'] },
      { name: 'base_directory', data_type: 'Text', flags: ['nn'] },
      { name: 'credentials', data_type: 'Json' },
      { name: 'config_json', data_type: 'Json' },
      { name: 'shared_tables_template', data_type: 'Text', flags: ['nn'] },
      { name: 'user_tables_template', data_type: 'Text', flags: ['nn'] },
      { name: 'created_at', data_type: 'Timestamp', flags: ['nn'] },
      { name: 'updated_at', data_type: 'Timestamp', flags: ['nn'] },
    ],
    rows: (_state, context) => [
      {
        storage_id: 'local',
        storage_name: 'Local Filesystem',
        description: 'Default local filesystem storage',
        storage_type: 'filesystem',
        base_directory: join(context.dataDir, 'storage'),
        credentials: null,
        config_json: null,
        shared_tables_template: '{namespace}/{tableName}',
        user_tables_template: '{namespace}/{tableName}/{userId}',
        created_at: STARTED_AT,
        updated_at: STARTED_AT,
      },
    ],
  },
  live: {
    columns: [
      { name: 'live_id', data_type: 'Text', flags: ['pk', 'nn', 'uq'] },
      { name: 'connection_id', data_type: 'Text', flags: ['nn'] },
      { name: 'subscription_id', data_type: 'Text', flags: ['nn'] },
      { name: 'namespace_id', data_type: 'Text', flags: ['nn'] },
      { name: 'table_name', data_type: 'Text', flags: ['nn'] },
      { name: 'user_id', data_type: 'Text', flags: ['nn'] },
      { name: 'query', data_type: 'Text', flags: ['nn'] },
      { name: 'options', data_type: 'Json' },
      { name: 'status', data_type: 'Text', flags: ['nn'] },
      { name: 'created_at', data_type: 'Timestamp', flags: ['nn'] },
      { name: 'last_update', data_type: 'Timestamp', flags: ['nn'] },
      { name: 'changes', data_type: 'BigInt', flags: ['nn'] },
      { name: 'node_id', data_type: 'BigInt', flags: ['nn'] },
      { name: 'last_ping_at', data_type: 'Timestamp', flags: ['nn'] },
    ],
    // Timestamps in microseconds, as the binary answers them (measured).
    rows: (state) =>
      [...state.liveQueries.values()].map((live) => ({
        live_id: live.liveId,
        connection_id: live.connectionId,
        subscription_id: live.subscriptionId,
        namespace_id: live.namespace,
        table_name: live.table,
        user_id: live.userId,
        query: live.query,
        options: live.options,
        status: 'active',
        created_at: live.createdAt * 1000,
        last_update: live.lastUpdate * 1000,
        changes: live.changes,
        node_id: 1,
        last_ping_at: live.lastPingAt * 1000,
      })),
  },
  stats: {
    columns: [
      { name: 'metric_name', data_type: 'Text', flags: ['nn'] },
      { name: 'metric_value', data_type: 'Text', flags: ['nn'] },
    ],
    rows: (state) => [
      { metric_name: 'server_uptime_seconds', metric_value: String(Math.floor((Date.now() - STARTED_AT) / 1000)) },
      { metric_name: 'memory_usage_bytes', metric_value: String(process.memoryUsage().rss) },
      { metric_name: 'total_namespaces', metric_value: String(state.namespaces.size) },
      { metric_name: 'total_tables', metric_value: String(state.tables.size) },
      { metric_name: 'total_users', metric_value: String(state.users.size + 1) },
      { metric_name: 'total_jobs', metric_value: String(state.jobs.size) },
    ],
  },
  columns: {
    columns: [
      { name: 'namespace_id', data_type: 'Text', flags: ['nn'] },
      { name: 'table_name', data_type: 'Text', flags: ['nn'] },
      { name: 'version', data_type: 'BigInt', flags: ['nn'] },
      { name: 'column_id', data_type: 'BigInt', flags: ['nn'] },
      { name: 'column_name', data_type: 'Text', flags: ['nn'] },
      { name: 'comment', data_type: 'Text' },
      { name: 'data_type', data_type: 'Text', flags: ['nn'] },
      { name: 'default_value', data_type: 'Text' },
      { name: 'ordinal', data_type: 'BigInt', flags: ['nn'] },
      { name: 'nullable', data_type: 'Boolean', flags: ['nn'] },
      { name: 'primary_key', data_type: 'Boolean', flags: ['nn'] },
      { name: 'primary_key_pos', data_type: 'BigInt' },
    ],
    rows: (state) => [...state.tables.values()].flatMap(({ definition }) => columnRows(definition)),
  },
};

const SYSTEM_COLUMN_COMMENTS: Readonly<Record<string, string>> = { _seq: 'Version ID (MVCC) with embedded timestamp', _deleted: 'Soft delete flag' };

/** A table's columns as system.columns lists them: in SELECT * order, `_seq` and `_deleted` included. */
function columnRows(definition: TableDefinition): Row[] {
  return tableColumns(definition).map((column, index) => {
    const declared = definition.columns.find((candidate) => candidate.name === column.name);
    return {
      namespace_id: definition.namespace,
      table_name: definition.name,
      version: definition.schemaVersion,
      column_id: index + 1,
      column_name: column.name,
      comment: SYSTEM_COLUMN_COMMENTS[column.name] ?? null,
      data_type: sqlTypeName(column.data_type as ColumnTypeName),
      default_value: declared?.defaultValue === undefined ? (column.name === '_deleted' ? 'false' : null) : String(declared.defaultValue),
      ordinal: index + 1,
      nullable: declared ? declared.nullable : false,
      primary_key: declared?.primaryKey ?? false,
      primary_key_pos: declared?.primaryKey ? 1 : null,
    };
  });
}

const ROOT_USER: Row = {
  user_id: 'root',
  password_hash: '',
  role: 'system',
  email: 'root@localhost',
  auth_type: 'Internal',
  auth_data: null,
  storage_mode: 'Table',
  storage_id: 'local',
  failed_login_attempts: 0,
  locked_until: null,
  last_login_at: null,
  created_at: 0,
  updated_at: 0,
  last_seen: null,
  deleted_at: null,
};

/** A CREATE USER account as the binary lists it; a dropped one keeps its row with deleted_at set. */
function userRow(user: UserRecord): Row {
  return {
    ...ROOT_USER,
    user_id: user.userId,
    role: user.role,
    email: null,
    auth_type: 'Password',
    storage_id: null,
    created_at: user.createdAt,
    updated_at: user.createdAt,
    deleted_at: user.deletedAt,
  };
}

function jobRow(state: DatabaseState, job: JobRecord): Row {
  const tableType = job.tableType ?? (state.tables.get(`${job.namespace}.${job.table}`)?.definition.type === 'user' ? 'User' : 'Shared');
  return {
    job_id: job.jobId,
    job_type: job.jobType,
    status: job.status,
    leader_status: null,
    parameters: job.parameters ?? JSON.stringify({ flush_threshold: null, table_id: `${job.namespace}.${job.table}`, table_type: tableType }),
    message: job.message,
    exception_trace: job.exceptionTrace ?? null,
    // A cleanup job's idempotency key was not measured.
    idempotency_key: job.jobType === 'flush' ? `flush-${job.namespace}-${job.table}` : null,
    queue: null,
    priority: null,
    retry_count: job.retryCount,
    max_retries: 3,
    memory_used: null,
    cpu_used: null,
    created_at: job.createdAt,
    updated_at: job.updatedAt ?? job.finishedAt ?? job.startedAt ?? job.createdAt,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
    node_id: 1,
    leader_node_id: null,
  };
}

/** The `options` JSON text KalamDB shows per table type (measured on 0.4.3-rc.4). */
function tableOptions(definition: TableDefinition): string {
  const common = { storage_id: definition.storageId };
  if (definition.type === 'user') {
    return JSON.stringify({ table_type: 'USER', ...common, use_user_storage: false, flush_policy: definition.flushPolicy, compression: 'snappy' });
  }
  if (definition.type === 'shared') {
    const level = definition.accessLevel ?? 'private';
    return JSON.stringify({ table_type: 'SHARED', ...common, access_level: level === 'dba' ? 'Dba' : level.charAt(0).toUpperCase() + level.slice(1), flush_policy: definition.flushPolicy, compression: 'snappy' });
  }
  return JSON.stringify({ table_type: 'STREAM', ttl_seconds: definition.ttlSeconds ?? null, eviction_strategy: 'time_based', max_stream_size_bytes: 0, compression: 'snappy' });
}
