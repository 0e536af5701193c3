import { stringify } from 'smol-toml';

export interface KalamdbConfigInput {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logsDir: string;
  readonly syncWrites: boolean;
  readonly flush: { readonly defaultRowLimit: number; readonly defaultTimeIntervalSeconds: number; readonly checkIntervalSeconds: number };
  readonly maxQueryLimit: number;
  readonly defaultQueryLimit: number;
  readonly shutdownFlushTimeoutSeconds: number;
  /** A small manifest cache makes the server read manifest.json from disk (INTERFACE.md, corruption). */
  readonly manifestCacheMaxEntries?: number;
  /** [logging.targets]: per-module levels (tracing target -> level), e.g. the manifest read paths. */
  readonly logTargets?: Readonly<Record<string, string>>;
}

/**
 * Module levels that make the manifest read paths visible in the JSON log (0.4.3-rc.4): cache
 * misses and scans are trace in utils::parquet and the PK check, cache writes debug in the service.
 */
export const MANIFEST_READ_PATH_LOG_TARGETS: Readonly<Record<string, string>> = {
  'kalamdb_tables::utils::parquet': 'trace',
  'kalamdb_tables::utils::pk::existence_checker': 'trace',
  'kalamdb_core::manifest::service': 'debug',
};

/**
 * Module levels that log a flush job's start (0.4.3-rc.4, Trace): `[FL-…] Job started (local phase)`
 * right after the job is marked running, and `[FL-…] Flushing ns:table (type: …)`; kill-mid-flush
 * kills at job-running on the first (src/nemesis/log-trigger.ts).
 */
export const JOB_START_LOG_TARGETS: Readonly<Record<string, string>> = {
  'kalamdb_jobs::jobs_manager::utils': 'trace',
  'kalamdb_jobs::executors::flush': 'trace',
};

/**
 * The server.toml the harness writes for a kalamdb-server incarnation (INTERFACE.md, "Process").
 * Secrets are deliberately absent: the root password and JWT secret travel by environment only,
 * so the file can sit in the run folder and be shown in reports.
 */
export function renderKalamdbConfig(input: KalamdbConfigInput): string {
  return stringify({
    server: { host: input.host, port: input.port },
    storage: {
      data_path: input.dataDir,
      shared_tables_template: '{namespace}/{tableName}',
      user_tables_template: '{namespace}/{tableName}/{userId}',
      rocksdb: { sync_writes: input.syncWrites, disable_wal: false },
    },
    flush: {
      default_row_limit: input.flush.defaultRowLimit,
      default_time_interval: input.flush.defaultTimeIntervalSeconds,
      check_interval_seconds: input.flush.checkIntervalSeconds,
    },
    limits: { max_query_limit: input.maxQueryLimit, default_query_limit: input.defaultQueryLimit },
    logging: {
      level: 'info',
      logs_path: input.logsDir,
      log_to_console: true,
      format: 'json',
      ...(input.logTargets ? { targets: { ...input.logTargets } } : {}),
    },
    shutdown: { flush: { timeout: input.shutdownFlushTimeoutSeconds } },
    authentication: { min_password_length: 8 },
    // The binary refuses a config without [performance] ("missing field performance"); defaults suffice.
    performance: {},
    // A writer pool on loopback must not meet the per-user (100/s) and per-IP limits meant for the internet.
    rate_limit: {
      max_queries_per_sec: 1_000_000,
      max_auth_requests_per_ip_per_sec: 10_000,
      max_requests_per_ip_per_sec: 1_000_000,
      max_connections_per_ip: 10_000,
    },
    ...(input.manifestCacheMaxEntries !== undefined ? { manifest_cache: { max_entries: input.manifestCacheMaxEntries } } : {}),
  });
}
