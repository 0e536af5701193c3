import { randomBytes } from 'node:crypto';
import type { SuiteCheck } from '../../types.js';
import { refused, succeeded } from '../expectations.js';

const NOT_ADMIN = refused('PERMISSION_DENIED', 'Admin privileges (DBA or System role) required for user management');

/** Seed: test_create_user_permission_checks (a regular user's CREATE USER is refused, mentioning permission). */
export const createUserWithoutPermission: SuiteCheck = {
  id: 'validation/create-user-without-permission',
  category: 'validation',
  expectation: 'a user with role user (logged in as themselves) cannot CREATE USER, of any role, nor DROP USER: KalamDB\'s PERMISSION_DENIED, nothing created',
  async run(ctx) {
    const user = await ctx.user('alice');
    const wanted = ctx.name('new_user');
    ctx.cleanup(`DROP USER IF EXISTS ${wanted}`);
    const password = randomBytes(9).toString('base64url');
    ctx.expect(await user.sql(`CREATE USER ${wanted} WITH PASSWORD '${password}' ROLE user`), NOT_ADMIN, 'CREATE USER ... ROLE user by a user');
    ctx.expect(await user.sql(`CREATE USER ${wanted} WITH PASSWORD '${password}' ROLE dba`), NOT_ADMIN, 'CREATE USER ... ROLE dba by a user');
    ctx.expect(await user.sql(`DROP USER ${user.id}`), NOT_ADMIN, 'DROP USER by a user');
    ctx.expect(await ctx.sql(`SELECT user_id FROM system.users WHERE user_id = '${wanted}'`), succeeded(undefined, []), 'system.users afterwards');
  },
};
