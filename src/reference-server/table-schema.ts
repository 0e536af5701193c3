import type { ColumnTypeName } from './sql/ast.js';
import { SqlError } from './errors.js';
import type { ResultColumn } from './query.js';
import type { StoredRow, TableDefinition } from './state.js';

/** KalamDB's result-schema flags of a user column: a primary key is pk, nn, uq; NOT NULL is nn. */
export function columnFlags(column: { readonly primaryKey: boolean; readonly nullable: boolean }): { flags?: readonly string[] } {
  if (column.primaryKey) return { flags: ['pk', 'nn', 'uq'] };
  return column.nullable ? {} : { flags: ['nn'] };
}

/** The columns of SELECT *: `_seq` and `_deleted` follow the CREATE TABLE columns, ALTER-added ones come after. */
export function tableColumns(definition: TableDefinition): ResultColumn[] {
  const user = definition.columns.map((column): ResultColumn => ({ name: column.name, data_type: column.type, ...columnFlags(column) }));
  const at = definition.systemColumnsAt ?? user.length;
  return [
    ...user.slice(0, at),
    { name: '_seq', data_type: 'BigInt', flags: ['nn'] },
    { name: '_deleted', data_type: 'Boolean', flags: ['nn'] },
    ...user.slice(at),
  ];
}

/** DataFusion's schema error for an unknown column in UPDATE (measured wording). */
export function noSuchField(definition: TableDefinition, name: string): SqlError {
  const table = `${definition.namespace}.${definition.name}`;
  const fields = tableColumns(definition).map((column) => `${table}.${column.name}`).join(', ');
  return new SqlError('SQL_EXECUTION_ERROR', `Invalid operation: Schema error: No field named ${name}. Valid fields are ${fields}.`);
}

/**
 * The binary accepts ALTER TABLE ADD COLUMN ... NOT NULL on a table with rows, and from then on
 * every scan of the table fails building its Arrow batch (measured): the reference server does the same.
 */
export function assertReadable(definition: TableDefinition, rows: readonly StoredRow[]): void {
  for (const column of definition.columns) {
    if (column.nullable || column.primaryKey) continue;
    if (rows.some((row) => (row.values[column.name] ?? null) === null)) {
      const scan = definition.type === 'user' ? 'user_table_scan' : 'shared_table_scan';
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `Execution error: Execution error: ${scan} failed: Other error: Arrow error - Failed to create projected RecordBatch: Invalid argument error: Column '${column.name}' is declared as non-nullable but contains null values`,
      );
    }
  }
}

const SQL_TYPE_NAMES: Readonly<Record<ColumnTypeName, string>> = {
  BigInt: 'BIGINT',
  Int: 'INT',
  SmallInt: 'SMALLINT',
  Text: 'TEXT',
  Boolean: 'BOOLEAN',
  Double: 'DOUBLE',
  Float: 'FLOAT',
  Timestamp: 'TIMESTAMP',
};

/** The type as ALTER TABLE's answer names it (VARCHAR shows as TEXT). */
export function sqlTypeName(type: ColumnTypeName): string {
  return SQL_TYPE_NAMES[type];
}
