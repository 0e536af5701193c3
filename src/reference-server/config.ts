import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseToml } from 'smol-toml';
import { isDefectName, type DefectName, DEFECTS } from './defects.js';
import { CURRENT_FORMAT, DISK_FORMATS, isDiskFormat, type DiskFormat } from './disk-format.js';

export interface ServerConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** Where server.log is appended besides stdout (KalamDB's [logging] logs_path). */
  readonly logsDir?: string;
  readonly defects: readonly DefectName[];
  /** The on-disk format this server writes (an older directory is migrated, a newer one refused). */
  readonly format: DiskFormat;
  readonly ackDelayMs: number;
  /** Pause between the steps of a flush, to widen crash windows in tests; 0 in real campaigns. */
  readonly flushDelayMs: number;
  /** How often FLUSH_POLICY interval:S is checked (KalamDB's [flush] check_interval_seconds). */
  readonly flushCheckIntervalMs: number;
  readonly acceptBasicAuth: boolean;
  readonly defaultQueryLimit: number;
  readonly maxQueryLimit: number;
  /** From KALAMDB_ROOT_PASSWORD; absent means root must be set up over HTTP. */
  readonly rootPassword?: string;
  /** From KALAMDB_JWT_SECRET; absent means a random per-process secret. */
  readonly jwtSecret?: string;
  /** How the server was configured, for its start-up log line. */
  readonly configuredBy: 'flags' | { readonly file: string };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const USAGE = `usage: kalam-reference-server --data-dir DIR --port PORT [--host 127.0.0.1] [--defect NAME]... [--ack-delay-ms MS]
                              [--accept-basic-auth] [--default-query-limit N] [--max-query-limit N] [--logs-dir DIR]
                              [--flush-delay-ms MS] [--flush-check-interval-ms MS] [--format 1|2]
       kalam-reference-server SERVER_TOML          (KalamDB mode: the config file kalamdb-server takes)
defects: ${Object.keys(DEFECTS).join(', ')}`;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Reads flags, or a KalamDB server.toml plus KALAMDB_* overrides. Throws ConfigError with one line. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  const first = argv[0];
  const kalamdbMode = first !== undefined && !first.startsWith('-');
  const base = kalamdbMode ? fromToml(argv, env) : fromFlags(argv);
  const extraDefects = (env.KALAM_REFERENCE_DEFECTS ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  const defects = [...new Set([...base.defects, ...extraDefects])];
  for (const defect of defects) {
    if (!isDefectName(defect)) throw new ConfigError(`unknown defect "${defect}"; known: ${Object.keys(DEFECTS).join(', ')}`);
  }
  const config: ServerConfig = {
    ...base,
    defects: defects as DefectName[],
    acceptBasicAuth: base.acceptBasicAuth || env.KALAM_REFERENCE_ACCEPT_BASIC === '1',
    ...(env.KALAMDB_ROOT_PASSWORD ? { rootPassword: env.KALAMDB_ROOT_PASSWORD } : {}),
    ...(env.KALAMDB_JWT_SECRET ? { jwtSecret: env.KALAMDB_JWT_SECRET } : {}),
  };
  if (!LOOPBACK.has(config.host)) throw new ConfigError(`refusing to bind to ${config.host}: the reference server listens on loopback only`);
  if (config.defaultQueryLimit > config.maxQueryLimit) {
    throw new ConfigError(`default query limit ${config.defaultQueryLimit} exceeds max query limit ${config.maxQueryLimit}`);
  }
  return config;
}

function fromFlags(argv: readonly string[]): Omit<ServerConfig, 'rootPassword' | 'jwtSecret'> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        defect: { type: 'string', multiple: true, default: [] },
        'ack-delay-ms': { type: 'string', default: '50' },
        'accept-basic-auth': { type: 'boolean', default: false },
        'default-query-limit': { type: 'string', default: '50' },
        'max-query-limit': { type: 'string', default: '1000' },
        'logs-dir': { type: 'string' },
        'flush-delay-ms': { type: 'string', default: '0' },
        'flush-check-interval-ms': { type: 'string', default: '1000' },
        format: { type: 'string', default: String(CURRENT_FORMAT) },
      },
    }));
  } catch (error) {
    throw new ConfigError((error as Error).message.split('\n')[0]);
  }
  if (!values['data-dir']) throw new ConfigError('--data-dir is required');
  if (values.port === undefined) throw new ConfigError('--port is required');
  return {
    dataDir: resolve(values['data-dir']),
    host: values.host,
    port: port(values.port, '--port'),
    ...(values['logs-dir'] ? { logsDir: resolve(values['logs-dir']) } : {}),
    defects: values.defect as DefectName[],
    format: diskFormat(values.format, '--format'),
    ackDelayMs: integer(values['ack-delay-ms'], '--ack-delay-ms', 0, 600_000),
    flushDelayMs: integer(values['flush-delay-ms'], '--flush-delay-ms', 0, 600_000),
    flushCheckIntervalMs: integer(values['flush-check-interval-ms'], '--flush-check-interval-ms', 10, 3_600_000),
    acceptBasicAuth: values['accept-basic-auth'],
    defaultQueryLimit: integer(values['default-query-limit'], '--default-query-limit', 1, 1_000_000),
    maxQueryLimit: integer(values['max-query-limit'], '--max-query-limit', 1, 1_000_000),
    configuredBy: 'flags',
  };
}

function fromToml(argv: readonly string[], env: NodeJS.ProcessEnv): Omit<ServerConfig, 'rootPassword' | 'jwtSecret'> {
  if (argv.length !== 1) throw new ConfigError(`KalamDB mode takes exactly one argument, the server.toml path (got ${argv.length})`);
  const file = resolve(argv[0]!);
  if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`);
  let toml: Record<string, unknown>;
  try {
    toml = parseToml(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`cannot parse ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  const section = (name: string) => {
    const value = toml[name];
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  };
  const server = section('server');
  const storage = section('storage');
  const logging = section('logging');
  const limits = section('limits');
  const flush = section('flush');
  const text = (value: unknown, fallback: string) => (typeof value === 'string' || typeof value === 'number' ? String(value) : fallback);
  const dataPath = env.KALAMDB_DATA_DIR ?? text(storage.data_path, './data');
  const logsPath = env.KALAMDB_LOGS_DIR ?? (typeof logging.logs_path === 'string' ? logging.logs_path : undefined);
  return {
    dataDir: resolve(dataPath),
    host: env.KALAMDB_SERVER_HOST ?? text(server.host, '127.0.0.1'),
    port: port(env.KALAMDB_SERVER_PORT ?? text(server.port, '8080'), 'server.port'),
    ...(logsPath ? { logsDir: resolve(logsPath) } : {}),
    defects: [],
    format: diskFormat(env.KALAM_REFERENCE_FORMAT ?? String(CURRENT_FORMAT), 'KALAM_REFERENCE_FORMAT'),
    ackDelayMs: 50,
    flushDelayMs: integer(env.KALAM_REFERENCE_FLUSH_DELAY_MS ?? '0', 'KALAM_REFERENCE_FLUSH_DELAY_MS', 0, 600_000),
    flushCheckIntervalMs: 1000 * integer(text(flush.check_interval_seconds, '1'), 'flush.check_interval_seconds', 1, 3600),
    acceptBasicAuth: false,
    defaultQueryLimit: integer(text(limits.default_query_limit, '50'), 'limits.default_query_limit', 1, 1_000_000),
    maxQueryLimit: integer(text(limits.max_query_limit, '1000'), 'limits.max_query_limit', 1, 1_000_000),
    configuredBy: { file },
  };
}

function integer(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new ConfigError(`${what} must be an integer, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new ConfigError(`${what} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function port(text: string, what: string): number {
  return integer(text, what, 1, 65_535);
}

function diskFormat(value: string, name: string): DiskFormat {
  const format = Number(value);
  if (!isDiskFormat(format)) throw new ConfigError(`${name} must be one of ${DISK_FORMATS.join(', ')}, got "${value}"`);
  return format;
}
