/** KalamDB's SQL error codes (INTERFACE.md, "SQL over HTTP") that the reference server returns. */
export type SqlErrorCode =
  | 'INVALID_SQL'
  | 'EMPTY_SQL'
  | 'BATCH_PARSE_ERROR'
  | 'TABLE_NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'SQL_EXECUTION_ERROR'
  | 'INTERNAL_ERROR'
  | 'UNAUTHORIZED'
  | 'MISSING_AUTHORIZATION';

export class SqlError extends Error {
  override name = 'SqlError';
  /** KalamDB answers some errors (its own parsers', permission checks') without "Statement N failed: ". */
  readonly bare: boolean;
  constructor(
    readonly code: SqlErrorCode,
    message: string,
    options: { bare?: boolean } = {},
  ) {
    super(message);
    this.bare = options.bare ?? false;
  }
}

export function httpStatusFor(code: SqlErrorCode): number {
  switch (code) {
    case 'UNAUTHORIZED':
    case 'MISSING_AUTHORIZATION':
      return 401;
    case 'PERMISSION_DENIED':
      return 403;
    case 'TABLE_NOT_FOUND':
      return 404;
    case 'INTERNAL_ERROR':
      return 500;
    default:
      return 400;
  }
}
