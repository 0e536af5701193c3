import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tableDir, type ColdScope } from './cold-tier.js';
import type { DatabaseState, JobRecord, TableDefinition, WalRecord } from './state.js';
import { syncDirectory } from './wal.js';

export interface DropCleanupDeps {
  readonly dataDir: string;
  readonly state: DatabaseState;
  readonly cold: Map<string, Map<string, ColdScope>>;
  readonly commit: (record: WalRecord) => Promise<void>;
}

/**
 * DROP TABLE's cleanup job, as the binary records it (CL-..., job_type cleanup): the table's
 * cold scopes are forgotten and its storage folder deleted, so a table created later under the
 * same name starts empty.
 */
export async function runDropCleanup(deps: DropCleanupDeps, definition: TableDefinition): Promise<string> {
  const key = `${definition.namespace}.${definition.name}`;
  const scopes = deps.cold.get(key)?.size ?? 0;
  const now = Date.now();
  const job: JobRecord = {
    jobId: newCleanupJobId(deps.state),
    jobType: 'cleanup',
    status: 'running',
    namespace: definition.namespace,
    table: definition.name,
    tableType: definition.type === 'user' ? 'User' : 'Shared',
    parameters: JSON.stringify({
      operation: 'drop_table',
      storage: {
        base_directory: join(deps.dataDir, 'storage'),
        relative_path_template: definition.type === 'user' ? '{namespace}/{tableName}/{userId}' : '{namespace}/{tableName}',
        storage_id: definition.storageId,
      },
      table_id: key,
      table_type: definition.type === 'user' ? 'User' : 'Shared',
    }),
    message: null,
    createdAt: now,
    updatedAt: now,
    startedAt: now,
    finishedAt: null,
    retryCount: 0,
  };
  await deps.commit({ op: 'job', job });
  deps.cold.delete(key);
  await removeTableStorage(deps.dataDir, definition);
  const finishedAt = Date.now();
  // The binary's counts (0 rows, 0 bytes even when segments were deleted; one cache entry per scope).
  const message = JSON.stringify({ message: `Cleaned up table ${definition.namespace}:${definition.name} successfully - 0 rows deleted, 0 bytes freed, ${scopes} cache entries invalidated` });
  await deps.commit({ op: 'job', job: { ...job, status: 'completed', message, finishedAt, updatedAt: finishedAt } });
  return job.jobId;
}

/** Deletes a table's storage folder; also run before CREATE TABLE, for a drop whose cleanup a crash cut short. */
export async function removeTableStorage(dataDir: string, definition: Pick<TableDefinition, 'namespace' | 'name'>): Promise<void> {
  await rm(tableDir(dataDir, definition), { recursive: true, force: true });
  await syncDirectory(join(dataDir, 'storage', definition.namespace)).catch(() => undefined);
}

function newCleanupJobId(state: DatabaseState): string {
  for (;;) {
    const jobId = `CL-${randomBytes(6).toString('hex')}`;
    if (!state.jobs.has(jobId)) return jobId;
  }
}
