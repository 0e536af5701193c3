/** KalamDB's JSON shapes (INTERFACE.md, "SQL over HTTP"). */
export interface ColumnInfo {
  readonly name: string;
  readonly data_type: string;
  readonly index: number;
  /** 'pk', 'nn', 'uq' (KalamDB 0.4.3); absent when a column has none. */
  readonly flags?: readonly string[];
}

export interface StatementResult {
  readonly schema?: ColumnInfo[];
  readonly rows?: unknown[][];
  readonly row_count: number;
  readonly message?: string;
  readonly as_user?: string;
}

export interface SqlSuccessBody {
  readonly status: 'success';
  readonly results: StatementResult[];
  readonly took: number;
}

export interface SqlErrorBody {
  readonly status: 'error';
  readonly results: [];
  readonly took: number;
  readonly error: { readonly code: string; readonly message: string; readonly details: unknown };
}

export function isSqlSuccess(body: unknown): body is SqlSuccessBody {
  return isRecord(body) && body.status === 'success' && Array.isArray(body.results);
}

export function isSqlError(body: unknown): body is SqlErrorBody {
  return (
    isRecord(body) &&
    body.status === 'error' &&
    isRecord(body.error) &&
    typeof body.error.code === 'string' &&
    typeof body.error.message === 'string'
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rows of a result as objects keyed by column name. */
export function rowsAsObjects(result: StatementResult): Record<string, unknown>[] {
  const schema = result.schema ?? [];
  return (result.rows ?? []).map((row) => Object.fromEntries(schema.map((column) => [column.name, row[column.index]])));
}
