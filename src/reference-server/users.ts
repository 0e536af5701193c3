import type { Statement } from './sql/ast.js';
import { SqlError } from './errors.js';
import type { DatabaseState, WalRecord } from './state.js';
import { storedPasswordHash } from './auth.js';

type Commit = (record: WalRecord) => Promise<void>;

/** The binary stores ROLE admin as dba (measured). */
const STORED_AS: Readonly<Record<string, string>> = { admin: 'dba' };

/** CREATE USER as the binary answers it. A dropped user's name stays taken (soft delete). */
export async function createUser(state: DatabaseState, commit: Commit, statement: Extract<Statement, { kind: 'create-user' }>): Promise<{ row_count: number; message: string }> {
  if (statement.user === 'root' || state.users.has(statement.user)) {
    throw new SqlError('SQL_EXECUTION_ERROR', `Already exists: User '${statement.user}' already exists`);
  }
  const role = STORED_AS[statement.role] ?? statement.role;
  await commit({ op: 'create-user', user: { userId: statement.user, role, createdAt: Date.now(), deletedAt: null, passwordHash: storedPasswordHash(statement.password) } });
  return { row_count: 0, message: `User '${statement.user}' created` };
}

/** DROP USER: a soft delete, answered the same when the user was already dropped (measured). */
export async function dropUser(state: DatabaseState, commit: Commit, statement: Extract<Statement, { kind: 'drop-user' }>): Promise<{ row_count: number; message: string }> {
  const user = state.users.get(statement.user);
  if (!user) {
    if (statement.ifExists) return { row_count: 0, message: `User '${statement.user}' does not exist (skipped)` };
    throw new SqlError('SQL_EXECUTION_ERROR', `Not found: User '${statement.user}' not found`);
  }
  if (user.deletedAt === null) await commit({ op: 'drop-user', userId: statement.user, deletedAt: Date.now() });
  return { row_count: 0, message: `User '${statement.user}' dropped (soft delete)` };
}

