import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/**
 * Root authentication as KalamDB does it: a password from KALAMDB_ROOT_PASSWORD (or set once
 * through /v1/api/auth/setup), bearer JWTs (HS256) from /v1/api/auth/login, and HTTP Basic when
 * the server is started to accept it (what Nov 2025 builds did).
 */
export interface Auth {
  needsSetup(): boolean;
  /** Sets the root password once; false when it is already set. */
  setup(password: string): boolean;
  login(user: string, password: string): Promise<LoginTokens | undefined>;
  /** The user an Authorization header proves, or undefined. */
  authenticate(header: string | undefined): Promise<string | undefined>;
}

export interface LoginTokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly expires_at: string;
  readonly user: { readonly id: string; readonly username: string; readonly role: string };
}

const TOKEN_LIFETIME_SECONDS = 3600;

/** A CREATE USER account that can log in: its role and password hash. */
export interface LoginAccount {
  readonly role: string;
  readonly password: { readonly salt: string; readonly hash: string };
}

export function createAuth(options: { rootPassword?: string; jwtSecret?: string; acceptBasic: boolean; account?: (user: string) => LoginAccount | undefined }): Auth {
  const secret = new TextEncoder().encode(options.jwtSecret ?? randomBytes(32).toString('hex'));
  let rootHash: { salt: Buffer; hash: Buffer } | undefined = options.rootPassword ? hashPassword(options.rootPassword) : undefined;
  /** scrypt costs milliseconds of CPU: a Basic credential is checked once, not on every request. */
  const verifiedBasic = new Set<string>();

  const passwordMatches = (password: string) => {
    if (!rootHash) return false;
    const candidate = scryptSync(password, rootHash.salt, rootHash.hash.length);
    return timingSafeEqual(candidate, rootHash.hash);
  };

  return {
    needsSetup: () => rootHash === undefined,
    setup(password) {
      if (rootHash) return false;
      rootHash = hashPassword(password);
      return true;
    },
    async login(user, password) {
      const account = user === 'root' ? undefined : options.account?.(user);
      if (user === 'root' ? !passwordMatches(password) : !account || !accountPasswordMatches(account, password)) return undefined;
      const role = account?.role ?? 'system';
      const expiresAt = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_SECONDS;
      const sign = (kind: string) =>
        new SignJWT({ username: user, role, kind }).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setIssuedAt().setExpirationTime(expiresAt).sign(secret);
      return {
        access_token: await sign('access'),
        refresh_token: await sign('refresh'),
        expires_at: new Date(expiresAt * 1000).toISOString(),
        user: { id: user, username: user, role },
      };
    },
    async authenticate(header) {
      if (!header) return undefined;
      const [scheme, credential] = header.split(' ', 2);
      if (!credential) return undefined;
      if (scheme?.toLowerCase() === 'bearer') {
        try {
          const { payload } = await jwtVerify(credential, secret, { algorithms: ['HS256'] });
          return payload.kind === 'access' && typeof payload.sub === 'string' ? payload.sub : undefined;
        } catch {
          return undefined;
        }
      }
      if (scheme?.toLowerCase() === 'basic' && options.acceptBasic) {
        if (verifiedBasic.has(credential)) return 'root';
        const decoded = Buffer.from(credential, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon === -1) return undefined;
        const user = decoded.slice(0, colon);
        if (user !== 'root' || !passwordMatches(decoded.slice(colon + 1))) return undefined;
        verifiedBasic.add(credential);
        return user;
      }
      return undefined;
    },
  };
}

function accountPasswordMatches(account: LoginAccount, password: string): boolean {
  const expected = Buffer.from(account.password.hash, 'hex');
  return timingSafeEqual(scryptSync(password, Buffer.from(account.password.salt, 'hex'), expected.length), expected);
}

function hashPassword(password: string): { salt: Buffer; hash: Buffer } {
  const salt = randomBytes(16);
  return { salt, hash: scryptSync(password, salt, 32) };
}
