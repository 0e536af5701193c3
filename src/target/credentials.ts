import { randomBytes } from 'node:crypto';
import type { Credentials } from './types.js';

/**
 * Root credentials for one run: KALAM_CHAOS_ROOT_PASSWORD / KALAM_CHAOS_JWT_SECRET when set
 * (a server whose root password is already fixed), otherwise fresh random ones.
 * The JWT secret is long enough for KalamDB (at least 32 characters).
 */
export function generateCredentials(env: NodeJS.ProcessEnv = process.env): Credentials {
  return {
    user: 'root',
    password: env.KALAM_CHAOS_ROOT_PASSWORD || randomBytes(18).toString('base64url'),
    jwtSecret: env.KALAM_CHAOS_JWT_SECRET || randomBytes(32).toString('hex'),
  };
}
