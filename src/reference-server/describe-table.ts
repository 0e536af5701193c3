import type { Value } from './sql/ast.js';
import type { ResultColumn } from './query.js';
import type { TableDefinition } from './state.js';
import { sqlTypeName, tableColumns } from './table-schema.js';

const SYSTEM_COLUMN_DETAILS: Readonly<Record<string, { type: string; default: string | null; comment: string }>> = {
  _seq: { type: 'BIGINT', default: null, comment: 'Version ID (MVCC) with embedded timestamp' },
  _deleted: { type: 'BOOLEAN', default: 'FALSE', comment: 'Soft delete flag' },
};

/**
 * `DESCRIBE TABLE ns.t` as the binary answers it (measured): one row per column in SELECT * order,
 * system columns included; schema_version is 1 on every row even after ALTER TABLE.
 */
export function describeTable(definition: TableDefinition): { schema: (ResultColumn & { index: number })[]; rows: Value[][]; row_count: number } {
  const rows: Value[][] = tableColumns(definition).map((column, index) => {
    const system = SYSTEM_COLUMN_DETAILS[column.name];
    const spec = definition.columns.find((candidate) => candidate.name === column.name);
    const dataType = system?.type ?? sqlTypeName(spec!.type);
    const defaultValue = system ? system.default : spec?.defaultValue === undefined || spec.defaultValue === null ? null : String(spec.defaultValue);
    const nullable = system ? false : spec!.nullable;
    return [column.name, index + 1, String(index + 1), dataType, nullable, spec?.primaryKey === true, defaultValue, system?.comment ?? null, 1];
  });
  return {
    schema: [
      { name: 'column_name', data_type: 'Text', index: 0, flags: ['nn'] },
      { name: 'ordinal_position', data_type: 'Int', index: 1, flags: ['nn'] },
      { name: 'column_id', data_type: 'BigInt', index: 2, flags: ['nn'] },
      { name: 'data_type', data_type: 'Text', index: 3, flags: ['nn'] },
      { name: 'is_nullable', data_type: 'Boolean', index: 4, flags: ['nn'] },
      { name: 'is_primary_key', data_type: 'Boolean', index: 5, flags: ['nn'] },
      { name: 'column_default', data_type: 'Text', index: 6 },
      { name: 'column_comment', data_type: 'Text', index: 7 },
      { name: 'schema_version', data_type: 'Int', index: 8, flags: ['nn'] },
    ],
    rows,
    row_count: rows.length,
  };
}
