import type { SqlClient } from '../client/sql-client.js';
import type { Cell } from '../vocabulary/events.js';
import type { Scope } from '../vocabulary/violations.js';

export interface ScopeRows {
  readonly columns: string[];
  /** Every row returned, in order, as the columns asked; the first is the key. */
  readonly rows: Cell[][];
  readonly countStar: number;
}

/**
 * Reads the named columns of every row of a scope in pages no larger than max_query_limit,
 * ordered by `key`, plus COUNT(*). Offset paging, so a key stored twice comes back twice.
 */
export async function readRows(client: SqlClient, scope: Scope, columns: readonly string[], pageSize: number, where?: string): Promise<ScopeRows> {
  const asUser = scope.partition ? { asUser: scope.partition } : undefined;
  const filter = where ? ` WHERE ${where}` : '';
  const counted = await client.query(`SELECT COUNT(*) FROM ${scope.table}${filter}`, asUser);
  const countStar = Number(counted.rows?.[0]?.[0] ?? Number.NaN);
  const rows: Cell[][] = [];
  const maxPages = Math.ceil((Number.isFinite(countStar) ? countStar : 0) / pageSize) + 10;
  for (let page = 0; page < maxPages; page++) {
    const result = await client.query(`SELECT ${columns.join(', ')} FROM ${scope.table}${filter} ORDER BY ${columns[0]} LIMIT ${pageSize} OFFSET ${page * pageSize}`, asUser);
    const schema = result.schema ?? [];
    const indexes = columns.map((name, position) => schema.find((column) => column.name === name)?.index ?? position);
    const pageRows = result.rows ?? [];
    for (const row of pageRows) rows.push(indexes.map((index) => (row[index] ?? null) as Cell));
    if (pageRows.length < pageSize) break;
  }
  return { columns: [...columns], rows, countStar };
}

/** A key as the server returned it (BIGINT comes back as a string). */
export function keyOf(cell: Cell | undefined): number {
  return Number(cell);
}
