import type { SqlClient } from '../client/sql-client.js';
import type { Scope } from './types.js';

export interface ScopeContents {
  /** Every row returned, in order; an id appearing twice is a duplicate. */
  readonly rows: { id: number; payload: string }[];
  readonly countStar: number;
}

/**
 * Reads every row of a table partition with ORDER BY/LIMIT/OFFSET pages no larger than the
 * server's max_query_limit, plus its COUNT(*). Offset paging (not keyset) so that a duplicated
 * primary key is returned once per physical copy.
 */
export async function readScope(client: SqlClient, scope: Scope, pageSize: number): Promise<ScopeContents> {
  const asUser = scope.partition ? { asUser: scope.partition } : undefined;
  const countResult = await client.query(`SELECT COUNT(*) FROM ${scope.table}`, asUser);
  const countStar = Number(countResult.rows?.[0]?.[0] ?? Number.NaN);
  const rows: { id: number; payload: string }[] = [];
  // Bounded: a server that keeps returning full pages past its own COUNT(*) cannot loop us forever.
  const maxPages = Math.ceil((Number.isFinite(countStar) ? countStar : 0) / pageSize) + 10;
  for (let page = 0; page < maxPages; page++) {
    const result = await client.query(
      `SELECT id, payload FROM ${scope.table} ORDER BY id LIMIT ${pageSize} OFFSET ${page * pageSize}`,
      asUser,
    );
    const schema = result.schema ?? [];
    const idIndex = schema.find((column) => column.name === 'id')?.index ?? 0;
    const payloadIndex = schema.find((column) => column.name === 'payload')?.index ?? 1;
    const pageRows = result.rows ?? [];
    for (const row of pageRows) rows.push({ id: Number(row[idIndex]), payload: String(row[payloadIndex]) });
    if (pageRows.length < pageSize) break;
  }
  return { rows, countStar };
}
