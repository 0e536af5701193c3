#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { createAuth } from './auth.js';
import { ConfigError, loadConfig, USAGE, type ServerConfig } from './config.js';
import { acquireLock, LockHeldError, type DataDirLock } from './data-dir-lock.js';
import { createExecutor } from './executor.js';
import { createHttpApi } from './http-api.js';
import { createLiveHub } from './live/live-hub.js';
import { loadKeptEntries, saveKeptEntries } from './live/kept-entries.js';
import { attachLiveEndpoint } from './live/ws-endpoint.js';
import { applyRecord, emptyState, isWalRecord, type DatabaseState, type JobRecord } from './state.js';
import { loadTableScopes, type ColdScope } from './cold-tier.js';
import { createFlusher } from './flush.js';
import { createFlushPolicies } from './flush-policy.js';
import { openWal } from './wal.js';
import { ensureDurableDir } from './durable-dir.js';
import { format1Writer, fromFormat1, migrateFromFormat1, readDiskFormat, VERSION_OF_FORMAT, writeDiskFormat } from './disk-format.js';

/** Exit codes: 0 clean shutdown, 1 runtime failure (port in use, data dir locked, bad WAL), 2 usage. */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  let config: ServerConfig;
  try {
    config = loadConfig(argv, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`kalam-reference-server: ${error.message}\n`);
    process.exit(2);
  }
  const log = createLogger(config);
  try {
    await serve(config, log);
  } catch (error) {
    const message = error instanceof LockHeldError ? error.message : (error as Error).message;
    log.fatal({ err: error }, message);
    process.stderr.write(`kalam-reference-server: ${message}\n`);
    process.exit(1);
  }
}

function createLogger(config: ServerConfig): Logger {
  const options = { base: { service: 'kalam-reference-server', pid: process.pid }, redact: ['password', 'root_password', 'token', 'authorization'] };
  if (!config.logsDir) return pino(options, pino.destination({ fd: 1, sync: true }));
  mkdirSync(config.logsDir, { recursive: true });
  return pino(
    options,
    pino.multistream([
      { stream: pino.destination({ fd: 1, sync: true }) },
      { stream: pino.destination({ dest: join(config.logsDir, 'server.log'), append: true, sync: true }) },
    ]),
  );
}

async function serve(config: ServerConfig, log: Logger): Promise<void> {
  const rocksdbDir = join(config.dataDir, 'rocksdb');
  await ensureDurableDir(rocksdbDir);
  await ensureDurableDir(join(config.dataDir, 'storage'));
  const lock = await acquireLock(join(rocksdbDir, 'LOCK'));
  if (lock.tookOverFrom !== undefined) log.warn({ previousPid: lock.tookOverFrom, lock: lock.path }, 'stale data directory lock taken over');

  const walPath = join(rocksdbDir, 'wal.log');
  const migrated = await openDiskFormat(config, rocksdbDir, log).catch(async (error: unknown) => {
    await lock.release();
    throw error;
  });
  const opened = await openWal(walPath, { sync: !config.defects.includes('no-fsync') }).catch(async (error: unknown) => {
    await lock.release();
    throw error;
  });
  if (opened.droppedTail) log.warn({ wal: walPath, ...opened.droppedTail }, 'wal torn tail dropped');
  const wal = config.format === 1 ? format1Writer(opened.wal) : opened.wal;
  const state = emptyState();
  for (const [index, stored] of opened.records.entries()) {
    const record = config.format === 1 ? fromFormat1(stored) : stored;
    if (!isWalRecord(record)) {
      await lock.release();
      throw new Error(`write-ahead log ${walPath}: record ${index} is not a reference-server record`);
    }
    applyRecord(state, record);
  }
  const rows = [...state.tables.values()].reduce((sum, table) => sum + [...table.partitions.values()].reduce((n, rowsOf) => n + rowsOf.size, 0), 0);
  log.info({ wal: walPath, records: opened.records.length, namespaces: state.namespaces.size, tables: state.tables.size, rows, lastSeq: state.lastSeq }, 'wal replayed');

  const defects = new Set(config.defects);
  const manifestPolicy = { trustParseable: defects.has('trust-corrupt-manifest'), panicOnUnparseable: defects.has('panic-on-bad-manifest') };
  const cold = new Map<string, Map<string, ColdScope>>();
  for (const [key, table] of state.tables) cold.set(key, await loadTableScopes(config.dataDir, table, log, manifestPolicy));
  // The migration-forgets-manifest-cache defect: a scope the (lost) cache does not know is taken as never flushed.
  if (migrated && defects.has('migration-forgets-manifest-cache')) {
    for (const [key, scopes] of cold) for (const [partition, scope] of scopes) if (!state.tables.get(key)!.manifests.has(partition)) scope.manifest = undefined;
  }
  // The manifest in force may be newer than the hot tier's copy (a crash between the manifest's rename
  // and its record) or rebuilt: record it, so the next start compares against what is really there.
  for (const [key, scopes] of cold) {
    const table = state.tables.get(key)!;
    for (const [partition, scope] of scopes) {
      const known = table.manifests.get(partition);
      if (!scope.manifest || (known?.version === scope.manifest.version && known.sha256 === scope.manifestSha256)) continue;
      const record = {
        op: 'manifest' as const,
        table: key,
        partition,
        manifest: { version: scope.manifest.version, segments: scope.manifest.segments.map((segment) => segment.path), ...(scope.manifestSha256 ? { sha256: scope.manifestSha256 } : {}) },
      };
      await wal.append(record, () => applyRecord(state, record));
    }
  }
  const flusher = createFlusher({ dataDir: config.dataDir, state, wal, cold, defects, flushDelayMs: config.flushDelayMs, log });
  // KalamDB's recovery: a job that was running is failed with "Server restarted"; queued jobs stay queued and run.
  for (const job of [...state.jobs.values()]) {
    if (job.status === 'queued') {
      flusher.resume(job);
      continue;
    }
    if (job.status !== 'running') continue;
    if (defects.has('stuck-flush-after-restart')) continue;
    const now = Date.now();
    const failed: JobRecord = { ...job, status: 'failed', finishedAt: now, updatedAt: now, message: 'Server restarted', exceptionTrace: 'Job was running when server shut down' };
    await wal.append({ op: 'job', job: failed }, () => applyRecord(state, { op: 'job', job: failed }));
    log.warn({ jobId: job.jobId, was: job.status }, 'job interrupted by the previous shutdown marked failed');
  }
  const policies = createFlushPolicies(state, flusher, config.flushCheckIntervalMs, log);
  const keepsLiveEntries = defects.has('live-survives-restart');
  if (keepsLiveEntries) log.warn({ entries: loadKeptEntries(state, rocksdbDir) }, 'defect live-survives-restart: system.live entries of the last incarnation kept');
  const hub = createLiveHub(state, keepsLiveEntries ? () => saveKeptEntries(state, rocksdbDir) : undefined);
  const executor = createExecutor({
    live: hub,
    dataDir: config.dataDir,
    state,
    wal,
    defects,
    ackDelayMs: config.ackDelayMs,
    defaultQueryLimit: config.defaultQueryLimit,
    maxQueryLimit: config.maxQueryLimit,
    log,
    cold,
    flusher,
    afterInsert: policies.afterInsert,
    ...(defects.has('table-unavailable-after-restart') ? { unavailableTables: await tablesMissingThisStart(rocksdbDir, state, log) } : {}),
  });
  const auth = createAuth({
    acceptBasic: config.acceptBasicAuth,
    account: (user) => {
      const account = state.users.get(user);
      return account && account.deletedAt === null ? { role: account.role, ...(account.passwordHash ? { passwordHash: account.passwordHash } : {}) } : undefined;
    },
    ...(config.rootPassword ? { rootPassword: config.rootPassword } : {}),
    ...(config.jwtSecret ? { jwtSecret: config.jwtSecret } : {}),
  });
  const api = createHttpApi({ auth, executor, log, version: VERSION_OF_FORMAT[config.format] });
  const live = attachLiveEndpoint(api.server, {
    auth,
    executor,
    hub,
    log,
    roleOf: (user) => (user === 'root' ? 'system' : (state.users.get(user)?.role ?? 'user')),
    skipFirstAfterResume: defects.has('resume-skips-first-change'),
  });

  await new Promise<void>((resolve, reject) => {
    api.server.once('error', (error: NodeJS.ErrnoException) => {
      const message = error.code === 'EADDRINUSE' ? `port ${config.port} on ${config.host} is already in use` : `cannot listen on ${config.host}:${config.port}: ${error.message}`;
      void lock.release().finally(() => reject(new Error(message)));
    });
    api.server.listen(config.port, config.host, () => resolve());
  });
  log.info(
    {
      host: config.host,
      port: config.port,
      dataDir: config.dataDir,
      version: VERSION_OF_FORMAT[config.format],
      format: config.format,
      defects: config.defects,
      configuredBy: config.configuredBy,
      auth: { bearer: true, basic: config.acceptBasicAuth, needsSetup: auth.needsSetup() },
    },
    'server listening',
  );
  installShutdown(api, async () => {
    live.close();
    policies.stop();
    await executor.settle();
    await flusher.idle();
  }, wal, lock, log);
}

/**
 * Brings the data directory to the server's format: a new one gets it, an older one is migrated
 * (true), a newer one is refused with an error naming both formats and versions.
 */
async function openDiskFormat(config: ServerConfig, rocksdbDir: string, log: Logger): Promise<boolean> {
  const onDisk = await readDiskFormat(rocksdbDir);
  if (onDisk === undefined) {
    await writeDiskFormat(rocksdbDir, config.format);
    return false;
  }
  if (onDisk > config.format) {
    throw new Error(
      `data directory ${config.dataDir} is in on-disk format ${onDisk} (${VERSION_OF_FORMAT[onDisk]}), newer than this server's format ${config.format} ` +
        `(${VERSION_OF_FORMAT[config.format]}): downgrade is not supported`,
    );
  }
  if (onDisk === config.format) return false;
  log.info({ from: onDisk, to: config.format }, `migrating data directory from format ${onDisk} to ${config.format}`);
  await migrateFromFormat1(rocksdbDir, { dropsSharedTables: config.defects.includes('migration-drops-shared-tables'), forgetsManifestCache: config.defects.includes('migration-forgets-manifest-cache') }, log);
  return true;
}

/**
 * The table-unavailable-after-restart defect: the server counts its starts on this data directory;
 * at the second (the first restart) the first SHARED table, by name, has no provider.
 */
async function tablesMissingThisStart(rocksdbDir: string, state: DatabaseState, log: Logger): Promise<Set<string>> {
  const counter = join(rocksdbDir, 'reference-starts');
  const starts = Number((await readFile(counter, 'utf8').catch(() => '0')).trim()) + 1;
  await writeFile(counter, `${starts}\n`);
  if (starts !== 2) return new Set();
  const keys = [...state.tables.keys()].sort();
  const missing = keys.find((key) => state.tables.get(key)!.definition.type === 'shared') ?? keys[0];
  if (missing === undefined) return new Set();
  log.warn({ table: missing, starts }, 'defect table-unavailable-after-restart: table provider missing this incarnation');
  return new Set([missing]);
}

function installShutdown(
  api: ReturnType<typeof createHttpApi>,
  drain: () => Promise<void>,
  wal: { close(): Promise<void> },
  lock: DataDirLock,
  log: Logger,
): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error('graceful shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    api.server.close();
    api.server.closeIdleConnections();
    void (async () => {
      while (api.inFlight() > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      api.server.closeAllConnections();
      await drain();
      await wal.close();
      await lock.release();
      clearTimeout(deadline);
      log.info('shutdown complete');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

await main();
