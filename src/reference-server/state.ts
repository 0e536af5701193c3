import type { ColumnSpec, Value } from './sql/ast.js';

/**
 * The reference server's in-memory database and the one function that changes it. Every change
 * is first a WAL record; the same `applyRecord` runs when the record becomes durable and when the
 * log is replayed at start, so a restarted server rebuilds exactly the state it acknowledged.
 */

export type TableType = 'user' | 'shared' | 'stream';

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
}

export interface StoredRow {
  /** The MVCC sequence number (KalamDB's `_seq`); unique across the database. */
  readonly seq: number;
  readonly values: Readonly<Record<string, Value>>;
}

export interface NamespaceRecord {
  readonly name: string;
  readonly createdAt: number;
}

export interface TableState {
  readonly definition: TableDefinition;
  /** Partition ('' for SHARED tables, the user id for USER tables) → primary key → row. */
  readonly partitions: Map<string, Map<Value, StoredRow>>;
}

export interface DatabaseState {
  readonly namespaces: Map<string, NamespaceRecord>;
  /** Keyed by `namespace.table`. */
  readonly tables: Map<string, TableState>;
  lastSeq: number;
}

export type WalRecord =
  | { readonly op: 'create-namespace'; readonly namespace: NamespaceRecord }
  | { readonly op: 'drop-namespace'; readonly name: string }
  | { readonly op: 'create-table'; readonly table: TableDefinition }
  | { readonly op: 'drop-table'; readonly table: string }
  | { readonly op: 'put'; readonly table: string; readonly partition: string; readonly rows: readonly StoredRow[] }
  | { readonly op: 'delete'; readonly table: string; readonly partition: string; readonly keys: readonly Value[]; readonly seq: number };

export function emptyState(): DatabaseState {
  return { namespaces: new Map(), tables: new Map(), lastSeq: 0 };
}

export function tableKey(namespace: string, name: string): string {
  return `${namespace}.${name}`;
}

export function partitionOf(table: TableState, partition: string): Map<Value, StoredRow> {
  let rows = table.partitions.get(partition);
  if (!rows) {
    rows = new Map();
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
        state.tables.set(key, { definition: record.table, partitions: new Map() });
      }
      return;
    }
    case 'drop-table':
      state.tables.delete(record.table);
      return;
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
      const rows = state.tables.get(record.table)?.partitions.get(record.partition);
      if (!rows) return;
      for (const key of record.keys) rows.delete(key);
      return;
    }
  }
}

const OPS = new Set(['create-namespace', 'drop-namespace', 'create-table', 'drop-table', 'put', 'delete']);

/** Records come from our own checksummed log; this only guards against a log from another program. */
export function isWalRecord(value: unknown): value is WalRecord {
  return typeof value === 'object' && value !== null && OPS.has((value as { op?: unknown }).op as string);
}
