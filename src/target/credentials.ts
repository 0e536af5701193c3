import { randomBytes } from 'node:crypto';
import type { Credentials } from './types.js';

/** Fresh root credentials for one run; the JWT secret is long enough for KalamDB (>= 32 chars). */
export function generateCredentials(): Credentials {
  return {
    user: 'root',
    password: randomBytes(18).toString('base64url'),
    jwtSecret: randomBytes(32).toString('hex'),
  };
}
