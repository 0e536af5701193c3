import type { Assignment, ColumnSpec, ColumnTypeName, Term, Value } from './sql/ast.js';
import { SqlError } from './errors.js';

/** DataFusion's (Arrow's) names for column types, as its planning errors show them. */
const ARROW_TYPES: Readonly<Record<ColumnTypeName, string>> = {
  BigInt: 'Int64',
  Int: 'Int32',
  SmallInt: 'Int16',
  Text: 'Utf8',
  Boolean: 'Boolean',
  Double: 'Float64',
  Float: 'Float32',
  Timestamp: 'Timestamp(Millisecond, None)',
};

/**
 * The value an assignment gives a row. Arithmetic follows SQL: NULL in, NULL out. The caller
 * coerces the result to the column's type.
 */
export function assignedValue(assignment: Assignment, row: Readonly<Record<string, Value>>): Value {
  if ('value' in assignment) return assignment.value;
  const { left, operator, right } = assignment.arithmetic;
  const leftValue = termValue(left, row);
  const rightValue = termValue(right, row);
  if (typeof leftValue !== 'number' || typeof rightValue !== 'number') return null; // NULL in, NULL out; checkAssignmentTypes ruled out the rest
  if (operator === '+') return leftValue + rightValue;
  if (operator === '-') return leftValue - rightValue;
  return leftValue * rightValue;
}

/** Planning checks that do not depend on a row: arithmetic only on numeric columns and numbers. */
export function checkAssignmentTypes(assignments: readonly Assignment[], columns: readonly ColumnSpec[]): void {
  for (const assignment of assignments) {
    if ('value' in assignment) continue;
    const { left, operator, right } = assignment.arithmetic;
    const types = [left, right].map((term) => staticType(term, columns));
    if (types.some((type) => !NUMERIC_ARROW_TYPES.has(type) && type !== 'Null')) {
      throw new SqlError('SQL_EXECUTION_ERROR', `Execution error: Error during planning: Cannot coerce arithmetic expression ${types[0]} ${operator} ${types[1]} to valid types`);
    }
  }
}

const NUMERIC_ARROW_TYPES = new Set(['Int64', 'Int32', 'Int16', 'Float64', 'Float32']);

/** A term's Arrow type as the planner sees it: the column's, or the literal's. */
function staticType(term: Term, columns: readonly ColumnSpec[]): string {
  if (term.kind === 'value') return literalType(term.value);
  const column = columns.find((candidate) => candidate.name === term.name);
  return column ? ARROW_TYPES[column.type] : 'Null';
}

/** Columns the assignments read (they must exist like any other column). */
export function columnsRead(assignments: readonly Assignment[]): string[] {
  return assignments.flatMap((assignment) => ('value' in assignment ? [] : [assignment.arithmetic.left, assignment.arithmetic.right]).filter((term) => term.kind === 'column').map((term) => (term as { name: string }).name));
}

function termValue(term: Term, row: Readonly<Record<string, Value>>): Value {
  return term.kind === 'column' ? (row[term.name] ?? null) : term.value;
}

function literalType(value: Value): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'Int64' : 'Float64';
  if (typeof value === 'boolean') return 'Boolean';
  return value === null ? 'Null' : 'Utf8';
}
