import type { DatabaseState } from './state.js';
import type { ResultColumn, Row } from './query.js';

export interface SystemTable {
  readonly columns: readonly ResultColumn[];
  rows(state: DatabaseState): Row[];
}

/** The `system.*` views the harness reads, computed from the durable catalog. */
export const SYSTEM_TABLES: Readonly<Record<string, SystemTable>> = {
  namespaces: {
    columns: [
      { name: 'namespace_id', data_type: 'Text' },
      { name: 'name', data_type: 'Text' },
      { name: 'created_at', data_type: 'Timestamp' },
      { name: 'table_count', data_type: 'Int' },
    ],
    rows: (state) =>
      [...state.namespaces.values()].map((namespace) => ({
        namespace_id: namespace.name,
        name: namespace.name,
        created_at: namespace.createdAt,
        table_count: [...state.tables.values()].filter((table) => table.definition.namespace === namespace.name).length,
      })),
  },
  jobs: {
    columns: [
      { name: 'job_id', data_type: 'Text' },
      { name: 'job_type', data_type: 'Text' },
      { name: 'status', data_type: 'Text' },
      { name: 'parameters', data_type: 'Text' },
      { name: 'message', data_type: 'Text' },
      { name: 'created_at', data_type: 'Timestamp' },
      { name: 'started_at', data_type: 'Timestamp' },
      { name: 'finished_at', data_type: 'Timestamp' },
      { name: 'retry_count', data_type: 'Int' },
    ],
    rows: (state) =>
      [...state.jobs.values()].map((job) => ({
        job_id: job.jobId,
        job_type: job.jobType,
        status: job.status,
        parameters: JSON.stringify({ namespace_id: job.namespace, table_name: job.table }),
        message: job.message,
        created_at: job.createdAt,
        started_at: job.startedAt,
        finished_at: job.finishedAt,
        retry_count: job.retryCount,
      })),
  },
  tables: {
    columns: [
      { name: 'table_id', data_type: 'Text' },
      { name: 'table_name', data_type: 'Text' },
      { name: 'namespace_id', data_type: 'Text' },
      { name: 'table_type', data_type: 'Text' },
      { name: 'storage_id', data_type: 'Text' },
      { name: 'flush_policy', data_type: 'Text' },
      { name: 'schema_version', data_type: 'Int' },
      { name: 'created_at', data_type: 'Timestamp' },
      { name: 'columns', data_type: 'Text' },
    ],
    rows: (state) =>
      [...state.tables.values()].map(({ definition }) => ({
        table_id: `${definition.namespace}:${definition.name}`,
        table_name: definition.name,
        namespace_id: definition.namespace,
        table_type: definition.type,
        storage_id: definition.storageId,
        flush_policy: definition.flushPolicy,
        schema_version: definition.schemaVersion,
        created_at: definition.createdAt,
        columns: JSON.stringify(
          definition.columns.map((column, ordinal) => ({
            column_name: column.name,
            data_type: column.type,
            is_nullable: column.nullable,
            is_primary_key: column.primaryKey,
            ordinal_position: ordinal + 1,
          })),
        ),
      })),
  },
};
