import type { ColumnSpec, Value } from './sql/ast.js';
import { VersionedRows } from './versioned-rows.js';

/**
 * The reference server's in-memory database and the one function that changes it. Every change
 * is first a WAL record; the same `applyRecord` runs when the record becomes durable and when the
 * log is replayed at start, so a restarted server rebuilds exactly the state it acknowledged.
 */

export type TableType = 'user' | 'shared' | 'stream';

/** KalamDB's ACCESS_LEVEL of a SHARED table (default PRIVATE: only admins may read it). */
export type AccessLevel = 'public' | 'private' | 'restricted' | 'dba';

export interface TableDefinition {
  readonly namespace: string;
  readonly name: string;
  readonly type: TableType;
  readonly columns: readonly ColumnSpec[];
  readonly primaryKey: string;
  readonly flushPolicy: string | null;
  readonly storageId: string;
  readonly createdAt: number;
  readonly schemaVersion: number;
  /**
   * Where `_seq` and `_deleted` sit among the columns of SELECT *: after the columns of CREATE
   * TABLE, before any ALTER TABLE ADD COLUMN (measured). Absent: after every column.
   */
  readonly systemColumnsAt?: number;
  /** SHARED tables; absent in records written before it was kept (then private). */
  readonly accessLevel?: AccessLevel;
  /** STREAM tables: TTL_SECONDS. */
  readonly ttlSeconds?: number;
}

/** An account CREATE USER made; DROP USER only sets `deletedAt` (KalamDB's soft delete). */
export interface UserRecord {
  readonly userId: string;
  readonly role: string;
  readonly createdAt: number;
  readonly deletedAt: number | null;
  /** scrypt `salt:hash` (hex) of the password; absent in records written before accounts could log in. */
  readonly passwordHash?: string;
}

/** A live query's row of system.live. Never in the WAL: a restart forgets every one (as the binary does). */
export interface LiveQueryRecord {
  readonly liveId: string;
  readonly connectionId: string;
  readonly subscriptionId: string;
  readonly namespace: string;
  readonly table: string;
  readonly userId: string;
  readonly query: string;
  readonly options: string;
  readonly createdAt: number;
  lastUpdate: number;
  changes: number;
  lastPingAt: number;
}

export interface StoredRow {
  /** The MVCC sequence number (KalamDB's `_seq`); unique across the database. */
  readonly seq: number;
  readonly values: Readonly<Record<string, Value>>;
  /** A tombstone (KalamDB's `_deleted`): the key's newest version says it is gone. */
  readonly deleted?: boolean;
}

export type JobStatus = 'new' | 'queued' | 'running' | 'retrying' | 'completed' | 'failed' | 'cancelled' | 'skipped';

export interface JobRecord {
  readonly jobId: string;
  readonly jobType: 'flush' | 'cleanup';
  readonly status: JobStatus;
  /** The table the job works on. */
  readonly namespace: string;
  readonly table: string;
  /** KalamDB's table_type in the job's parameters; absent in records written before it was kept. */
  readonly tableType?: 'Shared' | 'User';
  /** KalamDB's `parameters` JSON text, when it is not a flush's (a cleanup names the storage it deletes). */
  readonly parameters?: string;
  /** Completed jobs hold KalamDB's result JSON text ({"message":"Flushed ns:t successfully (...)"}). */
  readonly message: string | null;
  /** Set when a restart ended the job (KalamDB: "Job was running when server shut down"). */
  readonly exceptionTrace?: string;
  readonly createdAt: number;
  readonly updatedAt?: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly retryCount: number;
}

/** The server's last committed manifest of a scope, kept in the hot tier like KalamDB's RocksDB manifest cache. */
export interface ManifestHint {
  readonly version: number;
  readonly segments: readonly string[];
  /** sha256 of the manifest.json text as written: any change to the file at this version is damage. */
  readonly sha256?: string;
}

export interface NamespaceRecord {
  readonly name: string;
  readonly createdAt: number;
}

export interface TableState {
  readonly definition: TableDefinition;
  /** Hot tier. Partition ('' for SHARED tables, the user id for USER tables) → primary key → row. */
  readonly partitions: Map<string, VersionedRows<Value, StoredRow>>;
  /** Partition → manifest the hot tier remembers committing (a manifest.json that vanished is rebuilt). */
  readonly manifests: Map<string, ManifestHint>;
}

export interface DatabaseState {
  readonly namespaces: Map<string, NamespaceRecord>;
  /** Keyed by `namespace.table`. */
  readonly tables: Map<string, TableState>;
  readonly jobs: Map<string, JobRecord>;
  readonly users: Map<string, UserRecord>;
  /** system.live, by live_id. */
  readonly liveQueries: Map<string, LiveQueryRecord>;
  lastSeq: number;
  lastJobNumber: number;
}

export type WalRecord =
  | { readonly op: 'create-namespace'; readonly namespace: NamespaceRecord }
  | { readonly op: 'drop-namespace'; readonly name: string }
  | { readonly op: 'create-table'; readonly table: TableDefinition }
  | { readonly op: 'drop-table'; readonly table: string }
  /** ALTER TABLE: the table's new definition; its rows stay as they are. */
  | { readonly op: 'alter-table'; readonly table: TableDefinition }
  | { readonly op: 'create-user'; readonly user: UserRecord }
  | { readonly op: 'drop-user'; readonly userId: string; readonly deletedAt: number }
  | { readonly op: 'put'; readonly table: string; readonly partition: string; readonly rows: readonly StoredRow[] }
  | { readonly op: 'delete'; readonly table: string; readonly partition: string; readonly keys: readonly Value[]; readonly seq: number }
  | { readonly op: 'job'; readonly job: JobRecord }
  /** Hot rows a flush moved to the cold tier; a key whose hot version changed since is kept. */
  | { readonly op: 'flushed'; readonly table: string; readonly partition: string; readonly rows: readonly (readonly [Value, number])[] }
  | { readonly op: 'manifest'; readonly table: string; readonly partition: string; readonly manifest: ManifestHint };

export function emptyState(): DatabaseState {
  return { namespaces: new Map(), tables: new Map(), jobs: new Map(), users: new Map(), liveQueries: new Map(), lastSeq: 0, lastJobNumber: 0 };
}

export function tableKey(namespace: string, name: string): string {
  return `${namespace}.${name}`;
}

export function partitionOf(table: TableState, partition: string): VersionedRows<Value, StoredRow> {
  let rows = table.partitions.get(partition);
  if (!rows) {
    rows = new VersionedRows();
    table.partitions.set(partition, rows);
  }
  return rows;
}

/**
 * Applies one record. Tolerant by design: two racing `CREATE ... IF NOT EXISTS` both reach the
 * log, and the second must be a no-op both live and on replay.
 */
export function applyRecord(state: DatabaseState, record: WalRecord): void {
  switch (record.op) {
    case 'create-namespace':
      if (!state.namespaces.has(record.namespace.name)) state.namespaces.set(record.namespace.name, record.namespace);
      return;
    case 'drop-namespace':
      state.namespaces.delete(record.name);
      for (const [key, table] of state.tables) {
        if (table.definition.namespace === record.name) state.tables.delete(key);
      }
      return;
    case 'create-table': {
      const key = tableKey(record.table.namespace, record.table.name);
      if (!state.tables.has(key) && state.namespaces.has(record.table.namespace)) {
        state.tables.set(key, { definition: record.table, partitions: new Map(), manifests: new Map() });
      }
      return;
    }
    case 'drop-table':
      state.tables.delete(record.table);
      return;
    case 'alter-table': {
      const key = tableKey(record.table.namespace, record.table.name);
      const table = state.tables.get(key);
      if (table) state.tables.set(key, { ...table, definition: record.table });
      return;
    }
    case 'create-user':
      if (!state.users.has(record.user.userId)) state.users.set(record.user.userId, record.user);
      return;
    case 'drop-user': {
      const user = state.users.get(record.userId);
      if (user && user.deletedAt === null) state.users.set(record.userId, { ...user, deletedAt: record.deletedAt });
      return;
    }
    case 'put': {
      const table = state.tables.get(record.table);
      for (const row of record.rows) state.lastSeq = Math.max(state.lastSeq, row.seq);
      if (!table) return;
      const rows = partitionOf(table, record.partition);
      const primaryKey = table.definition.primaryKey;
      for (const row of record.rows) rows.set(row.values[primaryKey] ?? null, row);
      return;
    }
    case 'delete': {
      state.lastSeq = Math.max(state.lastSeq, record.seq);
      const table = state.tables.get(record.table);
      if (!table) return;
      const rows = partitionOf(table, record.partition);
      const primaryKey = table.definition.primaryKey;
      // A tombstone, not a removal: older versions of the key may live in the cold tier.
      for (const key of record.keys) rows.set(key, { seq: record.seq, values: { [primaryKey]: key }, deleted: true });
      return;
    }
    case 'job': {
      state.jobs.set(record.job.jobId, record.job);
      const number = Number(/(\d+)$/.exec(record.job.jobId)?.[1] ?? 0);
      state.lastJobNumber = Math.max(state.lastJobNumber, number);
      return;
    }
    case 'flushed': {
      const rows = state.tables.get(record.table)?.partitions.get(record.partition);
      if (!rows) return;
      for (const [key, seq] of record.rows) {
        if (rows.get(key)?.seq === seq) rows.delete(key);
      }
      return;
    }
    case 'manifest':
      state.tables.get(record.table)?.manifests.set(record.partition, record.manifest);
      return;
  }
}

const OPS = new Set(['create-namespace', 'drop-namespace', 'create-table', 'drop-table', 'alter-table', 'create-user', 'drop-user', 'put', 'delete', 'job', 'flushed', 'manifest']);

/** Records come from our own checksummed log; this only guards against a log from another program. */
export function isWalRecord(value: unknown): value is WalRecord {
  return typeof value === 'object' && value !== null && OPS.has((value as { op?: unknown }).op as string);
}
