import type { SqlClient } from '../client/sql-client.js';
import type { CampaignContext } from '../run/seams.js';
import type { Cell, EventOf, ReadBackPurpose } from '../vocabulary/events.js';
import type { WorkloadName } from '../vocabulary/scenario.js';
import type { Scope } from '../vocabulary/violations.js';
import { readFailureMessage } from '../util/tool-errors.js';

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

/** What a read of one scope found: the read-back event's fields beyond where and when. */
export type ScopeReading = Omit<EventOf<'read-back'>, 'type' | 'cycle' | 'incarnation' | 'purpose' | 'table' | 'partition' | 'workload'>;

/**
 * Reads each scope with `read` and records one read-back event per scope, owned by `workload`;
 * a read that fails is recorded with its error instead.
 */
export async function recordScopeReads(
  ctx: Pick<CampaignContext, 'incarnation' | 'record'>,
  at: { readonly cycle: number; readonly purpose: ReadBackPurpose; readonly workload: WorkloadName },
  scopes: readonly Scope[],
  read: (scope: Scope) => Promise<ScopeReading>,
): Promise<EventOf<'read-back'>[]> {
  const recorded: EventOf<'read-back'>[] = [];
  for (const scope of scopes) {
    const where = { type: 'read-back' as const, cycle: at.cycle, incarnation: ctx.incarnation(), purpose: at.purpose, table: scope.table, partition: scope.partition, workload: at.workload };
    let event: EventOf<'read-back'>;
    try {
      event = { ...where, ...(await read(scope)) };
    } catch (error) {
      event = { ...where, error: readFailureMessage(error, `read-back of ${scope.table}`) };
    }
    recorded.push(event);
    ctx.record(event);
  }
  return recorded;
}
