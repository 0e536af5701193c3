import type { SqlClient } from '../client/sql-client.js';
import { growableFloat64 } from '../util/growable.js';
import type { Scope } from './types.js';

export interface ScopeContents {
  /** Every id returned, in key order; an id stored twice appears twice. */
  readonly ids: Float64Array;
  readonly countStar: number;
  /** Ids whose payload is not the one `payloadOf` says was sent. */
  readonly payloadMismatch: number[];
}

/**
 * Reads every row of a table partition in one pass of keyset pages no larger than the server's
 * max_query_limit (always an explicit LIMIT: without one the server caps at default_query_limit),
 * checking each payload as it goes, plus its COUNT(*) as a cross-check.
 *
 * Duplicates survive paging: a page asks for `id >= last` (not `id > last`), so a second physical
 * copy of the previous page's last id is returned again and only as many copies as were already
 * read are dropped. When a whole page is copies of one id, the next asks the server to skip the
 * copies already read (OFFSET), so paging always moves on.
 */
export async function readScope(client: SqlClient, scope: Scope, pageSize: number, payloadOf: (id: number) => string): Promise<ScopeContents> {
  const asUser = scope.partition ? { asUser: scope.partition } : undefined;
  const countResult = await client.query(`SELECT COUNT(*) FROM ${scope.table}`, asUser);
  const countStar = Number(countResult.rows?.[0]?.[0] ?? Number.NaN);
  const ids = growableFloat64();
  const payloadMismatch: number[] = [];
  let last: number | undefined;
  let copiesOfLast = 0;
  let skipOnServer = 0;
  // Bounded: a server that keeps returning full pages past its own COUNT(*) cannot loop us forever.
  // Each page may re-read one id, and a page of copies costs one more.
  const maxPages = 2 * Math.ceil((Number.isFinite(countStar) ? countStar : 0) / Math.max(1, pageSize - 1)) + 10;
  for (let page = 0; page < maxPages; page++) {
    const where = last === undefined ? '' : ` WHERE id >= ${last}`;
    const offset = skipOnServer > 0 ? ` OFFSET ${skipOnServer}` : '';
    const result = await client.query(`SELECT id, payload FROM ${scope.table}${where} ORDER BY id LIMIT ${pageSize}${offset}`, asUser);
    const schema = result.schema ?? [];
    const idIndex = schema.find((column) => column.name === 'id')?.index ?? 0;
    const payloadIndex = schema.find((column) => column.name === 'payload')?.index ?? 1;
    const pageRows = result.rows ?? [];
    let toDrop = copiesOfLast - skipOnServer;
    let newCopiesOfLast = 0;
    for (const row of pageRows) {
      const id = Number(row[idIndex]);
      if (id === last && toDrop > 0) {
        toDrop--;
        continue;
      }
      if (id === last) newCopiesOfLast++;
      ids.push(id);
      if (String(row[payloadIndex]) !== payloadOf(id)) payloadMismatch.push(id);
    }
    if (pageRows.length < pageSize) break;
    const tail = Number(pageRows[pageRows.length - 1]![idIndex]);
    if (!Number.isFinite(tail)) throw new Error(`read-back of ${scope.table}: the server returned id ${JSON.stringify(pageRows[pageRows.length - 1]![idIndex])}, not a number to page on`);
    if (tail === last) {
      // The whole page was copies of `last`: skip every copy read so far on the server.
      copiesOfLast += newCopiesOfLast;
      skipOnServer = copiesOfLast;
    } else {
      last = tail;
      copiesOfLast = pageRows.filter((row) => Number(row[idIndex]) === tail).length;
      skipOnServer = 0;
    }
  }
  return { ids: ids.copy(), countStar, payloadMismatch };
}
