import { join } from 'node:path';
import fs from 'fs-extra';
import { createSqlClient, type SqlClient } from '../client/sql-client.js';
import { openHistory, type History } from '../history/history.js';
import { RunFolderError, createRunFolder, type RunFolder } from '../run/run-folder.js';
import { onEmergencyExit } from '../run/emergency.js';
import { generateCredentials } from '../target/credentials.js';
import { assertTargetLaunchable, createTarget, type TargetSpec } from '../target/index.js';
import { assertExecutable } from '../target/kalamdb.js';
import { openKalamCli } from './cli/kalam-cli.js';
import { findFreePort } from '../target/ports.js';
import { waitUntilReady } from '../target/readiness.js';
import { reapOrphans } from '../target/server-registry.js';
import { launchServer, stopServer, type ServerProcess } from '../target/supervisor.js';
import type { Credentials, Target } from '../target/types.js';
import { abortPromise } from '../util/abort.js';
import { writeJsonAtomic, writeJsonAtomicSync } from '../util/atomic-write.js';
import { describeErrno } from '../util/tool-errors.js';
import { packageVersion } from '../util/package-root.js';
import { seededRandom } from '../util/random.js';
import { withDeadline } from '../util/wait.js';
import { countOutcomes, suiteVerdict } from './result.js';
import { healthOf, runChecks, sendTo, type SuiteEnvironment } from './runner.js';
import { writeSuiteReports } from './write-reports.js';
import type { CheckVerdict, FreshServer, SuiteCategory, SuiteCheck, SuiteResult } from './types.js';

export interface SuiteConfig {
  readonly categories: readonly SuiteCategory[];
  readonly checks: readonly SuiteCheck[];
  readonly target: TargetSpec;
  readonly outDir: string;
  readonly seed: number;
  /** The kalam CLI binary for the `cli` checks (absent: they are skipped). */
  readonly cliBin?: string;
  readonly timeouts: { readonly readyMs: number; readonly requestMs: number; readonly exitMs: number };
}

export interface SuiteHooks {
  readonly signal?: AbortSignal;
  readonly onStarted?: (runDir: string) => void;
  readonly onReady?: (version: string | undefined, readyMs: number) => void;
  readonly onVerdict?: (verdict: CheckVerdict) => void;
}

/** Deadline of one kalam CLI process (a debug build on a busy machine takes a second or more). */
const CLI_TIMEOUT_MS = 60_000;

/** The six lower-case letters and digits that make this run's names unique. */
export function nonceOf(seed: number): string {
  const random = seededRandom(seed).fork('suite-names');
  return Array.from({ length: 6 }, () => '0123456789abcdefghijklmnopqrstuvwxyz'[random.int(0, 35)]).join('');
}

/**
 * Starts the target on a fresh data directory in a new run folder, runs the checks, stops every
 * server it started and writes result.json, junit.xml and report.html. A server that will not
 * start is the run's error (exit 2), not a failed check.
 */
export async function runSuite(config: SuiteConfig, hooks: SuiteHooks = {}): Promise<SuiteResult> {
  assertTargetLaunchable(config.target);
  if (config.cliBin !== undefined) assertExecutable(config.cliBin, 'kalam CLI (--cli-bin)');
  await reapOrphans();
  const startedAt = new Date();
  const folder = await createRunFolder(config.outDir, 'suite', config.seed, startedAt);
  hooks.onStarted?.(folder.root);
  const history = openHistory(folder.historyPath);
  const credentials = generateCredentials();
  const target = createTarget(config.target, folder.dataDir, credentials);
  const run = new SuiteRun(config, folder, history, target, credentials, hooks);
  const stopEmergency = onEmergencyExit(() => writeJsonAtomicSync(folder.resultPath, run.result(startedAt, 'SIGINT')));
  let result: SuiteResult;
  try {
    result = await run.execute(startedAt);
  } finally {
    stopEmergency();
  }
  await history.close().catch(() => undefined);
  try {
    await writeJsonAtomic(folder.resultPath, result);
  } catch (error) {
    throw new RunFolderError(`cannot write ${folder.resultPath}: ${describeErrno(error as NodeJS.ErrnoException)} (servers stopped, no result written)`);
  }
  await writeSuiteReports(folder.root, result).catch(() => undefined);
  return result;
}

class SuiteRun {
  private readonly verdicts: CheckVerdict[] = [];
  private readonly servers: ServerProcess[] = [];
  private readonly serverDirs: string[] = [];
  private version: string | undefined;
  private readyMs: number | undefined;
  private error: { step: string; message: string } | undefined;
  private interrupted: NodeJS.Signals | undefined;
  private incarnations = 0;

  constructor(
    private readonly config: SuiteConfig,
    private readonly folder: RunFolder,
    private readonly history: History,
    private readonly target: Target,
    private readonly credentials: Credentials,
    private readonly hooks: SuiteHooks,
  ) {}

  async execute(startedAt: Date): Promise<SuiteResult> {
    let step = 'start server';
    let client: SqlClient | undefined;
    let cli: Awaited<ReturnType<typeof openKalamCli>> | undefined;
    let cliUnavailable: string | undefined;
    try {
      const started = await this.start(this.target, this.folder.dataDir);
      client = started.client;
      const readiness = await Promise.race([waitUntilReady(started.server, client, this.config.timeouts.readyMs), abortPromise(this.hooks.signal)]);
      this.version = readiness.version;
      this.readyMs = readiness.readyMs;
      this.history.record({ type: 'server-ready', incarnation: started.index, readyMs: readiness.readyMs, ...(readiness.version ? { version: readiness.version } : {}) });
      this.hooks.onReady?.(readiness.version, readiness.readyMs);
      if (this.config.cliBin !== undefined && this.config.checks.some((check) => check.needs?.includes('cli'))) {
        step = 'log the kalam CLI in';
        cli = await openKalamCli({ bin: this.config.cliBin, baseUrl: started.server.baseUrl, user: this.credentials.user, password: this.credentials.password, timeoutMs: CLI_TIMEOUT_MS });
      } else if (this.config.cliBin === undefined) cliUnavailable = 'needs the kalam CLI binary: pass --cli-bin PATH';
      step = 'checks';
      const env: SuiteEnvironment = {
        client,
        ...(cli ? { cli } : {}),
        ...(cliUnavailable ? { cliUnavailable } : {}),
        version: this.version,
        nonce: nonceOf(this.config.seed),
        ...(this.hooks.signal ? { signal: this.hooks.signal } : {}),
        connectAs: (user, password) => this.client(started.server.baseUrl, { user, password, jwtSecret: '' }),
        launchFresh: () => this.launchFresh(),
        onVerdict: (verdict) => {
          this.verdicts.push(verdict);
          this.hooks.onVerdict?.(verdict);
        },
      };
      await runChecks(this.config.checks, env);
    } catch (error) {
      if (this.hooks.signal?.aborted) this.interrupted = this.hooks.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
      else this.error = { step, message: (error as Error).message };
    } finally {
      await cli?.close().catch(() => undefined);
      await client?.close().catch(() => undefined);
      await this.stopAll();
    }
    return this.result(startedAt, this.interrupted);
  }

  result(startedAt: Date, interrupted: NodeJS.Signals | undefined): SuiteResult {
    const finishedAt = new Date();
    const { verdict, exitCode } = suiteVerdict(this.verdicts, { error: this.error !== undefined, ...(interrupted ? { interrupted } : {}) });
    return {
      schemaVersion: 1,
      kind: 'suite',
      tool: { name: 'kalam-chaos', version: packageVersion() },
      categories: this.config.categories,
      seed: this.config.seed,
      verdict,
      exitCode,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      target: this.target.describe(),
      server: { ...(this.version ? { version: this.version } : {}), ...(this.readyMs !== undefined ? { readyMs: this.readyMs } : {}) },
      totals: countOutcomes(this.verdicts),
      checks: [...this.verdicts],
      ...(this.error ? { error: this.error } : {}),
      files: { history: this.folder.historyPath, servers: [...this.serverDirs] },
    };
  }

  private client(baseUrl: string, credentials: Credentials): SqlClient {
    return createSqlClient({ baseUrl, auth: this.target.auth, credentials, requestTimeoutMs: this.config.timeouts.requestMs, connections: 8, serverLabel: baseUrl });
  }

  private async start(target: Target, dataDir: string): Promise<{ index: number; server: ServerProcess; client: SqlClient }> {
    const index = this.incarnations++;
    const dir = this.folder.incarnationDir(index);
    await fs.ensureDir(dataDir);
    const plan = await target.plan({ index, dir, port: await findFreePort() });
    const server = await launchServer(plan, { incarnation: index, dir, history: this.history, sampleIntervalMs: 0, runDir: this.folder.root });
    this.servers.push(server);
    this.serverDirs.push(dir);
    return { index, server, client: this.client(server.baseUrl, this.credentials) };
  }

  /** A server of the same target on a data directory of its own (fresh/incarnation-N/data), not yet ready. */
  private async launchFresh(): Promise<FreshServer & { stop(): Promise<void> }> {
    const dataDir = join(this.folder.root, 'fresh', `incarnation-${this.incarnations}`, 'data');
    const target = createTarget(this.config.target, dataDir, this.credentials);
    const spawned = performance.now();
    const { index, server, client } = await this.start(target, dataDir);
    return {
      baseUrl: server.baseUrl,
      sinceSpawnMs: () => performance.now() - spawned,
      hasExited: () => server.hasExited(),
      sql: (statement) => sendTo(client, statement),
      health: () => healthOf(client),
      login: () => client.login(),
      stop: async () => {
        await client.close().catch(() => undefined);
        await this.stop(server, index);
      },
    };
  }

  private async stop(server: ServerProcess, index: number): Promise<void> {
    if (server.hasExited()) return;
    const exit = await stopServer(server, this.config.timeouts.exitMs);
    this.history.record({ type: 'server-exit', incarnation: index, exitCode: exit.exitCode, signal: exit.signal, expected: true });
  }

  /** Whatever still runs is stopped (SIGTERM, then SIGKILL), and waited for. */
  private async stopAll(): Promise<void> {
    for (const server of this.servers) {
      if (server.hasExited()) continue;
      await withDeadline(this.stop(server, this.servers.indexOf(server)), 'a suite server to stop', this.config.timeouts.exitMs + 5_000).catch(() => server.signal('SIGKILL'));
    }
  }
}
