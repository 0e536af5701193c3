import { randomUUID } from 'node:crypto';
import type { ColumnSpec, ColumnTypeName, Value } from './sql/ast.js';
import { SqlError } from './errors.js';

/** Arrow's names of the column types, as KalamDB's schema coercion errors show them (measured). */
const ARROW_TYPES: Readonly<Record<ColumnTypeName, string>> = {
  BigInt: 'Int64',
  Int: 'Int32',
  SmallInt: 'Int16',
  Text: 'Utf8',
  Boolean: 'Boolean',
  Double: 'Float64',
  Float: 'Float32',
  Timestamp: 'Timestamp(Microsecond, None)',
};

const INTEGER_RANGES: Partial<Record<ColumnTypeName, readonly [number, number]>> = {
  BigInt: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  Int: [-(2 ** 31), 2 ** 31 - 1],
  SmallInt: [-(2 ** 15), 2 ** 15 - 1],
};

/** Arrow's string-to-boolean cast accepts these (any case). */
const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', 'off', '0']);

/** Which statement stores the value: the NOT NULL violation is worded per path (measured). */
export type WritePath = { readonly kind: 'insert'; readonly row: number } | { readonly kind: 'update' };

function literalArrowType(value: Exclude<Value, null>): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'Int64' : 'Float64';
  return typeof value === 'boolean' ? 'Boolean' : 'Utf8';
}

function castError(value: Exclude<Value, null>, column: ColumnSpec, detail: string): SqlError {
  return new SqlError(
    'SQL_EXECUTION_ERROR',
    `Invalid operation: Schema coercion failed: Unable to cast value ${literalArrowType(value)} to ${ARROW_TYPES[column.type]} for column '${column.name}': Arrow error: ${detail}`,
  );
}

export function notNullViolation(column: string, path: WritePath): SqlError {
  const violation = `Constraint violation: Execution error: NOT NULL constraint violation: column '${column}' cannot be NULL (row ${path.kind === 'insert' ? path.row : 1})`;
  return new SqlError(
    'SQL_EXECUTION_ERROR',
    path.kind === 'insert'
      ? `Execution error: Raft error: Internal error: Provider error: Execution error: Failed to insert batch: ${violation}`
      : `Invalid operation: failed to commit transaction '${randomUUID()}': Raft error: Provider error: Execution error: Failed to update row: ${violation}`,
  );
}

/** A value stored into a column, cast as KalamDB's Arrow schema coercion casts it, or refused with its error. */
export function coerce(value: Value, column: ColumnSpec, path: WritePath): Value {
  if (value === null) {
    if (!column.nullable) throw notNullViolation(column.name, path);
    return null;
  }
  const arrow = ARROW_TYPES[column.type];
  switch (column.type) {
    case 'BigInt':
    case 'Int':
    case 'SmallInt': {
      const [min, max] = INTEGER_RANGES[column.type]!;
      if (typeof value === 'string') {
        if (!/^\s*[-+]?\d+\s*$/.test(value)) throw castError(value, column, `Cast error: Cannot cast string '${value}' to value of ${arrow} type`);
        const number = Number(value);
        if (number < min || number > max) throw castError(value, column, `Cast error: Cannot cast string '${value}' to value of ${arrow} type`);
        return number;
      }
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (!Number.isInteger(value) || value < min || value > max) throw castError(value, column, `Cast error: Can't cast value ${value} to type ${arrow}`);
      return value;
    }
    case 'Double':
    case 'Float': {
      if (typeof value === 'string') {
        const number = value.trim() === '' ? Number.NaN : Number(value);
        if (!Number.isFinite(number)) throw castError(value, column, `Cast error: Cannot cast string '${value}' to value of ${arrow} type`);
        return number;
      }
      return typeof value === 'boolean' ? Number(value) : value;
    }
    case 'Text':
      return typeof value === 'string' ? value : String(value);
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value !== 0;
      if (TRUE_WORDS.has(value.toLowerCase())) return true;
      if (FALSE_WORDS.has(value.toLowerCase())) return false;
      throw castError(value, column, `Cast error: Cannot cast value '${value}' to value of Boolean type`);
    case 'Timestamp': {
      const millis = typeof value === 'number' ? value : Date.parse(String(value));
      if (!Number.isFinite(millis)) throw castError(value, column, `Parser error: Error parsing timestamp from '${String(value)}': error parsing date`);
      return millis;
    }
  }
}
