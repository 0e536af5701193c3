import { isDeepStrictEqual } from 'node:util';
import type { SqlClient } from '../../client/sql-client.js';
import { rowsAsObjects } from '../../client/responses.js';
import type { ColumnRecord, MetadataSnapshot } from '../../vocabulary/events.js';
import type { CheckResult, Scope, Violation } from '../types.js';

export const METADATA = 'metadata';

export type { MetadataSnapshot } from '../../vocabulary/events.js';

export interface MetadataOptions {
  readonly namespace: string;
  /** One scope per table that can answer `SELECT * ... LIMIT 1` (a user for USER tables). */
  readonly tableScopes: readonly Scope[][];
  /** Columns of system rows that may legitimately change across a restart. */
  readonly volatileColumns: readonly string[];
}

export async function captureMetadata(client: SqlClient, options: MetadataOptions): Promise<MetadataSnapshot> {
  const strip = (row: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(row).filter(([key]) => !options.volatileColumns.includes(key)));
  const inNamespace = (row: Record<string, unknown>) =>
    row.namespace_id === options.namespace || row.namespace === options.namespace || row.name === options.namespace;
  const sortRows = (rows: Record<string, unknown>[]) =>
    rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  const namespaces = rowsAsObjects(await client.query('SELECT * FROM system.namespaces LIMIT 1000')).filter(inNamespace);
  const tables = rowsAsObjects(await client.query('SELECT * FROM system.tables LIMIT 1000')).filter(
    (row) => row.namespace_id === options.namespace || row.namespace === options.namespace,
  );
  const columns: Record<string, ColumnRecord[]> = {};
  for (const scopes of options.tableScopes) {
    for (const scope of scopes) {
      // A table that vanished shows in system.tables; its columns are simply not captured.
      const result = await client
        .query(`SELECT * FROM ${scope.table} LIMIT 1`, scope.partition ? { asUser: scope.partition } : undefined)
        .catch(() => undefined);
      if (!result) break;
      if (result.schema && result.schema.length > 0) {
        columns[scope.table] = result.schema.map(({ name, data_type, index }) => ({ name, data_type, index }));
        break;
      }
    }
  }
  return { namespaces: sortRows(namespaces.map(strip)), tables: sortRows(tables.map(strip)), columns };
}

/** Column baselines fill in as tables gain rows; namespaces and tables must match exactly. */
export function mergeColumnBaseline(baseline: MetadataSnapshot, later: MetadataSnapshot): MetadataSnapshot {
  return { ...baseline, columns: { ...later.columns, ...baseline.columns } };
}

export function compareMetadata(before: MetadataSnapshot, after: MetadataSnapshot, cycle: number): CheckResult {
  const violations: Violation[] = [];
  if (!isDeepStrictEqual(before.namespaces, after.namespaces)) {
    violations.push({ kind: 'metadata-changed', what: 'namespaces', subject: 'system.namespaces', before: before.namespaces, after: after.namespaces });
  }
  if (!isDeepStrictEqual(before.tables, after.tables)) {
    violations.push({ kind: 'metadata-changed', what: 'tables', subject: 'system.tables', before: before.tables, after: after.tables });
  }
  for (const [table, columns] of Object.entries(before.columns)) {
    const now = after.columns[table];
    if (now && !isDeepStrictEqual(columns, now)) {
      violations.push({ kind: 'metadata-changed', what: 'columns', subject: table, before: columns, after: now });
    }
  }
  return { check: METADATA, cycle, ok: violations.length === 0, violations };
}
