import type { ColumnTypeName, Condition, OrderTerm, Value } from './sql/ast.js';
import { SqlError } from './errors.js';

export type Row = Readonly<Record<string, Value>>;

export interface ResultColumn {
  readonly name: string;
  /** 'Json' only for system-table columns KalamDB types so (system.jobs.parameters, ...). */
  readonly data_type: ColumnTypeName | 'Json';
  /** KalamDB's column flags in a result schema: 'pk', 'nn' (not null), 'uq'; absent when none. */
  readonly flags?: readonly string[];
}

/** Total order on values: null last, then numbers, booleans and strings by their natural order. */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const left = String(a);
  const right = String(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

export function columnsIn(condition: Condition | undefined): string[] {
  if (!condition) return [];
  switch (condition.kind) {
    case 'and':
    case 'or':
      return [...columnsIn(condition.left), ...columnsIn(condition.right)];
    case 'not':
      return columnsIn(condition.condition);
    default:
      return [condition.column];
  }
}

export function matches(condition: Condition | undefined, row: Row): boolean {
  if (!condition) return true;
  switch (condition.kind) {
    case 'and':
      return matches(condition.left, row) && matches(condition.right, row);
    case 'or':
      return matches(condition.left, row) || matches(condition.right, row);
    case 'not':
      return !matches(condition.condition, row);
    case 'is-null':
      return (row[condition.column] === null || row[condition.column] === undefined) !== condition.negated;
    case 'in': {
      const value = row[condition.column] ?? null;
      if (value === null) return false;
      return condition.values.some((candidate) => candidate !== null && looselyEqual(value, candidate)) !== condition.negated;
    }
    case 'compare': {
      const value = row[condition.column] ?? null;
      if (value === null || condition.value === null) return false;
      const order = looselyEqual(value, condition.value) ? 0 : compareValues(value, coerceLike(value, condition.value));
      switch (condition.operator) {
        case '=':
          return order === 0;
        case '<>':
          return order !== 0;
        case '<':
          return order < 0;
        case '<=':
          return order <= 0;
        case '>':
          return order > 0;
        case '>=':
          return order >= 0;
      }
    }
  }
}

/** `id = '5'` compares as a number against a number column, as SQL engines coerce literals. */
function coerceLike(reference: Value, value: Value): Value {
  if (typeof reference === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (typeof reference === 'string' && typeof value === 'number') return String(value);
  return value;
}

function looselyEqual(a: Value, b: Value): boolean {
  return compareValues(a, coerceLike(a, b)) === 0;
}

export function sortRows(rows: Row[], orderBy: readonly OrderTerm[]): Row[] {
  if (orderBy.length === 0) return rows;
  return rows.sort((a, b) => {
    for (const term of orderBy) {
      const order = compareValues(a[term.column] ?? null, b[term.column] ?? null);
      if (order !== 0) return term.descending ? -order : order;
    }
    return 0;
  });
}

export function assertColumnsExist(names: readonly string[], available: readonly ResultColumn[], where: string): void {
  for (const name of names) {
    if (!available.some((column) => column.name === name)) {
      throw new SqlError('SQL_EXECUTION_ERROR', `Column '${name}' not found in ${where}`);
    }
  }
}

/**
 * Whether a SELECT sees tombstones (measured on the binary): when its filter mentions `_deleted`
 * (`_deleted = true`, `NOT _deleted = false`) and has no primary-key equality anywhere; with one
 * (`_deleted = true AND id = 2`, `... OR id = 3`) the point-lookup path sees live rows only.
 */
export function readsTombstones(condition: Condition | undefined, primaryKey: string): boolean {
  return columnsIn(condition).includes('_deleted') && !hasKeyEquality(condition, primaryKey);
}

function hasKeyEquality(condition: Condition | undefined, primaryKey: string): boolean {
  if (!condition) return false;
  switch (condition.kind) {
    case 'and':
    case 'or':
      return hasKeyEquality(condition.left, primaryKey) || hasKeyEquality(condition.right, primaryKey);
    case 'not':
      return hasKeyEquality(condition.condition, primaryKey);
    case 'compare':
      return condition.column === primaryKey && condition.operator === '=';
    default:
      return false;
  }
}
