import type { SqlClient } from '../../client/sql-client.js';
import type { Cell } from '../../vocabulary/events.js';

/** The read-back's columns: one row per table (its columns as the catalog and as a SELECT see them) and per live user. */
export const DDL_READ_BACK_COLUMNS = ['kind', 'name', 'catalog_columns', 'selected_columns', 'error'] as const;

const SYSTEM_COLUMNS = new Set(['_seq', '_deleted']);

/** Every row of a query, in pages of `pageSize` (the query must fix a total order). */
async function allRows(client: SqlClient, sql: string, pageSize: number): Promise<Cell[][]> {
  const rows: Cell[][] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = ((await client.query(`${sql} LIMIT ${pageSize} OFFSET ${offset}`)).rows ?? []) as Cell[][];
    rows.push(...page);
    if (page.length < pageSize) return rows;
  }
}

/**
 * The ddl namespace as the server shows it: the tables system.tables lists with the columns
 * system.columns gives them (a table with no rows has no other schema to read... except the
 * schema of an empty SELECT, which kalamdb-server 0.4.3 does answer: both are kept, and a table
 * whose SELECT fails keeps its error), and the users of the workload that are not soft-deleted.
 */
export async function readDdlObjects(client: SqlClient, namespace: string, userPrefix: string, pageSize: number): Promise<Cell[][]> {
  const quoted = namespace.replaceAll("'", "''");
  const tables = await allRows(client, `SELECT table_name FROM system.tables WHERE namespace_id = '${quoted}' ORDER BY table_name`, pageSize);
  const columns = await allRows(client, `SELECT table_name, column_name, ordinal FROM system.columns WHERE namespace_id = '${quoted}' ORDER BY table_name, ordinal`, pageSize);
  const catalog = new Map<string, string[]>();
  for (const [table, column] of columns) {
    if (SYSTEM_COLUMNS.has(String(column))) continue;
    const list = catalog.get(String(table)) ?? [];
    list.push(String(column));
    catalog.set(String(table), list);
  }
  const rows: Cell[][] = [];
  for (const [table] of tables) {
    const name = String(table);
    const outcome = await client.execute(`SELECT * FROM ${namespace}.${name} LIMIT 1`);
    const result = outcome.kind === 'success' ? outcome.results[outcome.results.length - 1] : undefined;
    const selected = result ? (result.schema ?? []).map((column) => column.name).filter((column) => !SYSTEM_COLUMNS.has(column)) : null;
    const error = outcome.kind === 'success' ? null : outcome.kind === 'error' ? `${outcome.code}: ${outcome.message}` : outcome.reason;
    rows.push(['table', name, (catalog.get(name) ?? []).join(','), selected === null ? null : selected.join(','), error]);
  }
  const users = await allRows(client, 'SELECT user_id, deleted_at FROM system.users ORDER BY user_id', pageSize);
  for (const [user, deletedAt] of users) {
    if (String(user).startsWith(userPrefix) && deletedAt === null) rows.push(['user', String(user), null, null, null]);
  }
  return rows;
}
