import type { SqlErrorCode } from './errors.js';
import { tokenText, type SqlSyntaxError } from './sql/tokens.js';

/** Line and column (1-based) of an offset, as sqlparser reports them. */
function position(sql: string, offset: number): { line: number; column: number } {
  const before = sql.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

/**
 * A parse error in KalamDB's words (measured on 0.4.3-rc.4): `Expected: X, found: Y at Line: L,
 * Column: C` (or `found: EOF`). DataFusion parses SELECT/INSERT/UPDATE/DELETE and its errors come
 * back as execution errors of the statement; KalamDB's own parsers answer INVALID_SQL, CREATE
 * TABLE's under its own heading. An error without detail is KalamDB's own wording already.
 */
export function describeSyntaxError(error: SqlSyntaxError, sql: string, batch: boolean): { code: SqlErrorCode; message: string } {
  const code: SqlErrorCode = batch ? 'BATCH_PARSE_ERROR' : 'INVALID_SQL';
  if (!error.detail) return { code, message: error.message };
  const { expected, found } = error.detail;
  const at = found ? (({ line, column }) => ` at Line: ${line}, Column: ${column}`)(position(sql, found.at)) : '';
  const parserError = `Expected: ${expected}, found: ${found ? tokenText(found) : 'EOF'}${at}`;
  const [first, second, third] = error.statement?.words ?? [];
  if (first === 'SELECT' || first === 'INSERT' || first === 'UPDATE' || first === 'DELETE') {
    return {
      code: batch ? code : 'SQL_EXECUTION_ERROR',
      message: `Statement ${(error.statement?.index ?? 0) + 1} failed: Execution error: SQL error: ParserError(${JSON.stringify(parserError)})`,
    };
  }
  const createTable = first === 'CREATE' && (second === 'TABLE' || (['USER', 'SHARED', 'STREAM'].includes(second ?? '') && third === 'TABLE'));
  return { code, message: createTable ? `Invalid CREATE TABLE statement: sql parser error: ${parserError}` : `sql parser error: ${parserError}` };
}
