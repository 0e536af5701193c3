import { SqlError } from './errors.js';
import type { AccessLevel, DatabaseState, TableDefinition } from './state.js';

/** Roles that may manage users and namespaces, read system tables and every shared table (measured: dba, system). */
const ADMIN_ROLES = new Set(['dba', 'system']);

/** A session's role: root is `system`; an account its stored role; a name no account has (EXECUTE AS USER 'x') is a `user`. */
export function roleOf(state: DatabaseState, user: string): string {
  if (user === 'root') return 'system';
  const account = state.users.get(user);
  return account && account.deletedAt === null ? account.role : 'user';
}

export function isAdmin(role: string): boolean {
  return ADMIN_ROLES.has(role);
}

/** Role names as KalamDB's messages capitalise them ('User'). */
export function roleName(role: string): string {
  return role.charAt(0).toUpperCase() + role.slice(1);
}

export function requireAdmin(role: string, what: 'user management' | 'namespace operations'): void {
  if (!isAdmin(role)) throw new SqlError('PERMISSION_DENIED', `Admin privileges (DBA or System role) required for ${what}`, { bare: true });
}

export function assertSystemTableReadable(role: string, table: string): void {
  if (isAdmin(role)) return;
  throw new SqlError('PERMISSION_DENIED', `Permission denied: Error during planning: Access denied: Role '${roleName(role)}' cannot access table 'system.${table}'. System tables require 'dba' or 'system' role.`);
}

function levelName(level: AccessLevel): string {
  return level === 'dba' ? 'Dba' : roleName(level);
}

/** A non-admin may read a PUBLIC shared table and write none (measured on 0.4.3-rc.4). */
export function assertSharedTableAccess(role: string, definition: TableDefinition, how: 'read' | 'write'): void {
  if (definition.type !== 'shared' || isAdmin(role)) return;
  const level = definition.accessLevel ?? 'private';
  if (how === 'read' && level === 'public') return;
  const table = `${definition.namespace}.${definition.name}`;
  throw new SqlError(
    'PERMISSION_DENIED',
    how === 'read'
      ? `Permission denied: Error during planning: Access denied: Role '${roleName(role)}' cannot access table '${table}'. Shared table access denied (access_level=${levelName(level)})`
      : `Permission denied: Access denied: Role '${roleName(role)}' cannot access table '${table}'. Shared table write denied (access_level=${levelName(level)})`,
  );
}
