import { SqlError } from './errors.js';

/** Words KalamDB refuses as a namespace name (measured: `select`; the others are SQL's own keywords). */
const RESERVED_KEYWORDS = new Set(['select', 'from', 'where', 'insert', 'update', 'delete', 'create', 'drop', 'alter', 'table', 'join', 'order', 'group', 'union', 'into', 'values', 'and', 'or', 'not', 'null', 'as', 'by', 'limit', 'offset', 'having', 'distinct']);

const MAX_NAME_LENGTH = 64;

/** A namespace name as CREATE NAMESPACE judges it in 0.4.3-rc.4, with its wording (measured). */
export function validateNamespaceName(name: string): void {
  const refuse = (message: string) => new SqlError('SQL_EXECUTION_ERROR', message);
  if (/^[0-9]/.test(name)) throw refuse('Name cannot start with a number');
  if (name.startsWith('_')) throw refuse('Name cannot start with underscore (reserved for system columns)');
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw refuse(`Name '${name}' contains invalid characters (only alphanumeric and underscore allowed)`);
  if (RESERVED_KEYWORDS.has(name.toLowerCase())) throw refuse(`Name '${name}' is a reserved SQL keyword and cannot be used`);
  if (name.toLowerCase() === 'system') throw refuse("Namespace 'system' is reserved and cannot be used");
  if (name.length > MAX_NAME_LENGTH) throw refuse(`Name is too long (${name.length} characters, max ${MAX_NAME_LENGTH})`);
}
