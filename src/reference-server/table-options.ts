import { SqlError } from './errors.js';
import type { AccessLevel, TableType } from './state.js';

export interface TableOptions {
  readonly type: TableType;
  readonly flushPolicy: string | null;
  readonly storageId: string;
  readonly ttlSeconds?: number;
  readonly accessLevel?: AccessLevel;
}

const KNOWN_OPTIONS = new Set(['TYPE', 'FLUSH_POLICY', 'STORAGE_ID', 'TTL_SECONDS', 'ACCESS_LEVEL']);
const ACCESS_LEVELS: readonly AccessLevel[] = ['public', 'private', 'restricted', 'dba'];

/** KalamDB's CREATE TABLE parser refuses with INVALID_SQL, no "Statement N failed" (measured). */
function invalid(detail: string): SqlError {
  return new SqlError('INVALID_SQL', `Invalid CREATE TABLE statement: ${detail}`, { bare: true });
}

/** `rows:N`, `interval:S` or both, as 0.4.3-rc.4 judges them (measured wording and bounds). */
export function validateFlushPolicy(policy: string, options: { upperBounds?: boolean } = {}): void {
  let rows = 0;
  let interval = 0;
  for (const part of policy.split(',')) {
    const colon = part.indexOf(':');
    if (colon === -1) throw invalid(`Invalid FLUSH_POLICY format '${part}'. Expected 'key:value'`);
    const key = part.slice(0, colon).toLowerCase();
    const value = part.slice(colon + 1);
    if (key === 'rows') {
      if (!/^\d+$/.test(value)) throw invalid('Invalid row limit in FLUSH_POLICY');
      rows = Number(value);
    } else if (key === 'interval') {
      if (!/^\d+$/.test(value)) throw invalid('Invalid interval in FLUSH_POLICY');
      interval = Number(value);
    } else throw invalid(`Unknown FLUSH_POLICY key '${key}'`);
  }
  if (rows === 0 && interval === 0) throw invalid("FLUSH_POLICY must specify 'rows' or 'interval' > 0");
  if (options.upperBounds === false) return;
  if (rows >= 1_000_000) throw invalid('Row limit must be less than 1,000,000');
  if (interval >= 86_400) throw invalid('Interval must be less than 86400 seconds (24 hours)');
}

function tableType(option: string | undefined): TableType {
  const type = (option ?? 'SHARED').toUpperCase();
  if (type === 'USER') return 'user';
  if (type === 'SHARED') return 'shared';
  if (type === 'STREAM') return 'stream';
  if (type === 'SYSTEM') throw new SqlError('SQL_EXECUTION_ERROR', 'Invalid operation: Cannot create SYSTEM tables via SQL');
  throw invalid(`Invalid TYPE option '${option}'. Supported: USER, SHARED, STREAM`);
}

/**
 * The WITH (...) options of CREATE TABLE, judged as KalamDB's parser judges them, before anything
 * about the namespace or the columns. `upperBounds: false` is the flush-policy-unbounded defect.
 */
export function tableOptions(options: Readonly<Record<string, string>>, checks: { upperBounds?: boolean } = {}): TableOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw invalid(`Unknown table option '${key}'`);
  }
  const type = tableType(options.TYPE);
  const flushPolicy = options.FLUSH_POLICY ?? null;
  if (flushPolicy !== null) validateFlushPolicy(flushPolicy, checks);
  let ttlSeconds: number | undefined;
  if (options.TTL_SECONDS !== undefined) {
    if (type !== 'stream') throw invalid('TTL_SECONDS is only supported for STREAM tables');
    if (!/^\d+$/.test(options.TTL_SECONDS)) throw invalid('Invalid TTL_SECONDS');
    ttlSeconds = Number(options.TTL_SECONDS);
  } else if (type === 'stream') throw invalid("STREAM tables must specify 'TTL_SECONDS'");
  let accessLevel: AccessLevel | undefined;
  if (options.ACCESS_LEVEL !== undefined) {
    if (type !== 'shared') throw invalid('ACCESS_LEVEL is only supported for SHARED tables');
    const level = options.ACCESS_LEVEL.toLowerCase() as AccessLevel;
    if (!ACCESS_LEVELS.includes(level)) throw invalid(`Invalid ACCESS_LEVEL '${options.ACCESS_LEVEL}'. Supported: PUBLIC, PRIVATE, RESTRICTED, DBA`);
    accessLevel = level;
  }
  return {
    type,
    flushPolicy,
    storageId: options.STORAGE_ID ?? 'local',
    ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
    ...(type === 'shared' ? { accessLevel: accessLevel ?? 'private' } : {}),
  };
}
