import type { Statement } from './sql/ast.js';
import { compareValues } from './query.js';
import type { StoredRow, TableDefinition } from './state.js';

type Select = Extract<Statement, { kind: 'select' }>;

/** Where a key-ordered read starts: every key, or those above (or at) a number. */
export interface KeyRange {
  readonly from?: { readonly key: number; readonly inclusive: boolean };
}

const INTEGER_TYPES = new Set(['BigInt', 'Int', 'SmallInt']);

/**
 * The range a SELECT of a user table reads when it can be answered from the table's rows in
 * primary-key order: no ORDER BY or `ORDER BY pk [ASC]`, and no WHERE or one `pk > n` / `pk >= n`
 * on an integer key (keyset paging). Anything else (undefined) takes the general path.
 */
export function keyRangeOf(statement: Select, definition: TableDefinition): KeyRange | undefined {
  const primaryKey = definition.primaryKey;
  const keyType = definition.columns.find((column) => column.name === primaryKey)?.type;
  if (!keyType || !INTEGER_TYPES.has(keyType)) return undefined;
  const order = statement.orderBy;
  if (order.length > 1 || (order.length === 1 && (order[0]!.column !== primaryKey || order[0]!.descending))) return undefined;
  const where = statement.where;
  if (!where) return {};
  if (where.kind !== 'compare' || where.column !== primaryKey || typeof where.value !== 'number') return undefined;
  if (where.operator !== '>' && where.operator !== '>=') return undefined;
  return { from: { key: where.value, inclusive: where.operator === '>=' } };
}

/** The rows in primary-key order; stable, so copies of one key (the no-dedupe defect) keep their order. */
export function sortByKey(rows: StoredRow[], primaryKey: string): StoredRow[] {
  return rows.sort((a, b) => compareValues(a.values[primaryKey] ?? null, b.values[primaryKey] ?? null));
}

/** Index of the first row of key-ordered `rows` (integer keys) inside the range: a binary search. */
export function firstInRange(rows: readonly StoredRow[], primaryKey: string, range: KeyRange): number {
  const from = range.from;
  if (!from) return 0;
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const key = rows[middle]!.values[primaryKey] as number;
    if (key > from.key || (from.inclusive && key === from.key)) high = middle;
    else low = middle + 1;
  }
  return low;
}
