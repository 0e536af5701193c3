import { accessSync, constants, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fs from 'fs-extra';
import { JOB_START_LOG_TARGETS, MANIFEST_READ_PATH_LOG_TARGETS, renderKalamdbConfig } from './kalamdb-config.js';
import type { AuthMode, Credentials, Incarnation, LaunchPlan, Target } from './types.js';

export interface KalamdbTargetSpec {
  readonly kind: 'kalamdb';
  readonly serverBin: string;
  readonly auth: AuthMode;
  /** [storage.rocksdb] sync_writes; KalamDB's default is false. */
  readonly syncWrites: boolean;
  /**
   * Written as [manifest_cache] max_entries by corruption campaigns. 0.4.3-rc.4 parses it but never
   * enforces it (only max_weighted_capacity() uses it, and nothing calls that), so the campaign
   * evicts the damaged scope's entry itself (src/nemesis/manifest-cache.ts). Setting it also turns
   * on the log targets that show the manifest read paths (the flush jobs' start is always logged).
   */
  readonly manifestCacheMaxEntries?: number;
  /** Extra environment for the server process (never reported: it may hold secrets). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

export class TargetSetupError extends Error {
  override name = 'TargetSetupError';
}

/** Throws a TargetSetupError with a one-line reason unless `path` is an executable file. */
export function assertExecutable(path: string, what: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new TargetSetupError(`${what} not found: ${path}`);
  }
  if (!isFile) throw new TargetSetupError(`${what} is not a file: ${path}`);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new TargetSetupError(`${what} is not executable: ${path}`);
  }
}

export function createKalamdbTarget(spec: KalamdbTargetSpec, dataDir: string, credentials: Credentials): Target {
  const serverBin = resolve(spec.serverBin);
  assertExecutable(serverBin, 'kalamdb-server binary');
  return {
    kind: 'kalamdb',
    auth: spec.auth,
    credentials,
    dataDir,
    async plan(incarnation: Incarnation): Promise<LaunchPlan> {
      const logsDir = join(incarnation.dir, 'server-logs');
      await fs.ensureDir(logsDir);
      const configPath = join(incarnation.dir, 'server.toml');
      const config = renderKalamdbConfig({
        host: '127.0.0.1',
        port: incarnation.port,
        dataDir,
        logsDir,
        syncWrites: spec.syncWrites,
        flush: { defaultRowLimit: 10_000, defaultTimeIntervalSeconds: 300, checkIntervalSeconds: 5 },
        maxQueryLimit: 1000,
        defaultQueryLimit: 50,
        shutdownFlushTimeoutSeconds: 30,
        logTargets: { ...JOB_START_LOG_TARGETS, ...(spec.manifestCacheMaxEntries !== undefined ? MANIFEST_READ_PATH_LOG_TARGETS : {}) },
        ...(spec.manifestCacheMaxEntries !== undefined ? { manifestCacheMaxEntries: spec.manifestCacheMaxEntries } : {}),
      });
      await fs.writeFile(configPath, config);
      return {
        command: serverBin,
        args: [configPath],
        env: {
          ...spec.extraEnv,
          KALAMDB_ROOT_PASSWORD: credentials.password,
          KALAMDB_JWT_SECRET: credentials.jwtSecret,
          KALAMDB_OTLP_ENABLED: 'false',
          KALAMDB_LOG_TO_CONSOLE: 'true',
        },
        host: '127.0.0.1',
        port: incarnation.port,
        serverLogsDir: logsDir,
      };
    },
    describe: () => ({
      kind: 'kalamdb',
      command: serverBin,
      auth: spec.auth,
      dataDir,
      syncWrites: spec.syncWrites,
      ...(spec.manifestCacheMaxEntries !== undefined ? { manifestCacheMaxEntries: spec.manifestCacheMaxEntries } : {}),
    }),
  };
}
