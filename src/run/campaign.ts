import fs from 'fs-extra';
import { captureMetadata, compareMetadata, type MetadataOptions } from '../checker/metadata.js';
import { checkAcknowledgedWrites } from '../checker/acknowledged-writes.js';
import type { CheckResult, Scope, Violation } from '../checker/types.js';
import { createSqlClient, type SqlClient } from '../client/sql-client.js';
import { openHistory, type History } from '../history/history.js';
import { createAckCounter, planKillTriggers, triggerFired, type KillTrigger } from '../nemesis/kill-trigger.js';
import { EXIT_CODES, RESULT_SCHEMA_VERSION, type CycleResult, type RunResult, type Verdict, type ViolationRecord } from '../report/result.js';
import type { NemesisSpec, ScenarioDefinition } from '../scenario/types.js';
import { generateCredentials } from '../target/credentials.js';
import { assertTargetLaunchable, createTarget, type TargetSpec } from '../target/index.js';
import { findFreePort, isPortFree } from '../target/ports.js';
import { waitUntilReady } from '../target/readiness.js';
import { reapOrphans } from '../target/server-registry.js';
import { launchServer, stopServer, tailFile, type ServerProcess } from '../target/supervisor.js';
import type { Target } from '../target/types.js';
import {
  initialWorkloadState,
  qualifiedName,
  schemaStatements,
  startWriters,
  type InsertWorkloadSpec,
  type TableSpec,
} from '../workload/insert-workload.js';
import { createLedger } from '../workload/ledger.js';
import { packageVersion } from '../util/package-root.js';
import { seededRandom } from '../util/random.js';
import { withDeadline } from '../util/wait.js';
import { createRunFolder, type RunFolder } from './run-folder.js';

export interface CampaignTimeouts {
  /** Until a started server answers health and SELECT 1. */
  readonly readyMs: number;
  /** Until a cycle's fault must have fired. */
  readonly cycleMs: number;
  /** One SQL request. */
  readonly requestMs: number;
  /** Until a signalled server has exited. */
  readonly exitMs: number;
}

/** Everything a campaign needs, resolved from the scenario and the command line. */
export interface CampaignConfig {
  readonly scenario: ScenarioDefinition;
  readonly seed: number;
  readonly cycles: number;
  readonly workload: InsertWorkloadSpec;
  readonly nemesis: NemesisSpec;
  readonly target: TargetSpec;
  readonly outDir: string;
  readonly timeouts: CampaignTimeouts;
  /** Rows per SELECT page when reading a table back: at most the server's max_query_limit. */
  readonly pageSize: number;
  /** system.tables / system.namespaces columns that may legitimately change across a restart. */
  readonly volatileColumns: readonly string[];
  readonly sampleIntervalMs: number;
}

export type ProgressEvent =
  | { kind: 'started'; runDir: string; target: string; cycles: number }
  | { kind: 'orphan-stopped'; pid: number; runDir: string }
  | { kind: 'ready'; incarnation: number; readyMs: number }
  | { kind: 'fault'; cycle: number; cycles: number; description: string }
  | { kind: 'checked'; cycle: number; cycles: number; ok: boolean; violations: number; acknowledged: number }
  | { kind: 'finished'; result: RunResult; runDir: string };

export interface CampaignHooks {
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export const DEFAULT_TIMEOUTS: CampaignTimeouts = { readyMs: 30_000, cycleMs: 60_000, requestMs: 10_000, exitMs: 10_000 };

class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs one campaign end to end and writes its run folder. Never leaves a server running. */
export async function runCampaign(config: CampaignConfig, hooks: CampaignHooks = {}): Promise<RunResult> {
  assertTargetLaunchable(config.target);
  for (const orphan of await reapOrphans()) {
    hooks.onProgress?.({ kind: 'orphan-stopped', pid: orphan.pgid, runDir: orphan.runDir });
  }
  const startedAt = new Date();
  const folder = await createRunFolder(config.outDir, config.scenario.name, config.seed, startedAt);
  const history = openHistory(folder.historyPath);
  const target = createTarget(config.target, folder.dataDir, generateCredentials());
  const campaign = new Campaign(config, hooks, folder, history, target);
  const result = await campaign.run(startedAt);
  await fs.writeJson(folder.resultPath, result, { spaces: 2 });
  await history.close();
  hooks.onProgress?.({ kind: 'finished', result, runDir: folder.root });
  return result;
}

class Campaign {
  private server: ServerProcess | undefined;
  private client: SqlClient | undefined;
  private incarnation = -1;
  private port = 0;
  private readonly ledger = createLedger();
  private readonly workloadState;
  private readonly schedule: KillTrigger[];
  private readonly cycles: CycleResult[] = [];
  private readonly violations: ViolationRecord[] = [];
  private readonly serverDirs: string[] = [];
  private step = 'start';

  constructor(
    private readonly config: CampaignConfig,
    private readonly hooks: CampaignHooks,
    private readonly folder: RunFolder,
    private readonly history: History,
    private readonly target: Target,
  ) {
    const random = seededRandom(config.seed);
    this.workloadState = initialWorkloadState(config.workload, config.seed);
    this.schedule = planKillTriggers(config.nemesis.trigger, random.fork('nemesis'), config.cycles);
  }

  async run(startedAt: Date): Promise<RunResult> {
    const { config, history } = this;
    history.record({
      type: 'run-start',
      scenario: config.scenario.name,
      seed: config.seed,
      options: this.parameters(),
      target: this.target.describe(),
    });
    this.hooks.onProgress?.({ kind: 'started', runDir: this.folder.root, target: this.target.kind, cycles: config.cycles });
    let error: { step: string; message: string } | undefined;
    let interrupted: string | undefined;
    try {
      this.step = 'start server';
      await this.startIncarnation();
      this.step = 'create schema';
      const statements = schemaStatements(config.workload);
      for (const statement of statements) await this.client!.query(statement);
      history.record({ type: 'setup', cycle: 0, statements: statements.length });
      for (let cycle = 1; cycle <= config.cycles; cycle++) {
        this.hooks.signal?.throwIfAborted();
        const recovered = await this.runCycle(cycle);
        if (!recovered) break;
      }
      this.step = 'stop server';
      if (this.server) {
        const exit = await stopServer(this.server, config.timeouts.exitMs);
        history.record({ type: 'server-exit', incarnation: this.incarnation, exitCode: exit.exitCode, signal: exit.signal, expected: true });
      }
    } catch (caught) {
      if (this.hooks.signal?.aborted) {
        interrupted = String(this.hooks.signal.reason ?? 'SIGINT');
      } else {
        const step = caught instanceof StepError ? caught.step : this.step;
        error = { step, message: (caught as Error).message };
        history.record({ type: 'error', cycle: this.cycles.length, step, message: error.message });
      }
    } finally {
      await this.shutdown();
    }
    return this.result(startedAt, error, interrupted);
  }

  private async runCycle(cycle: number): Promise<boolean> {
    const { config, history } = this;
    const trigger = this.schedule[cycle - 1]!;
    history.record({ type: 'nemesis-planned', cycle, fault: config.nemesis.kind, trigger });

    this.step = `cycle ${cycle}: metadata before fault`;
    const before = await captureMetadata(this.client!, this.metadataOptions());

    this.step = `cycle ${cycle}: workload`;
    const acks = createAckCounter();
    const server = this.server!;
    const writers = startWriters({
      client: this.client!,
      spec: config.workload,
      state: this.workloadState,
      ledger: this.ledger,
      history,
      cycle,
      onAcknowledged: () => acks.add(1),
    });
    const fire = triggerFired(trigger, acks);
    let deadlineTimer: NodeJS.Timeout | undefined;
    const first = await Promise.race([
      fire.fired.then(() => 'trigger' as const),
      server.exited.then(() => 'server-exit' as const),
      writers.finished.then(() => 'writers-finished' as const),
      new Promise<'deadline'>((resolve) => (deadlineTimer = setTimeout(() => resolve('deadline'), config.timeouts.cycleMs))),
      abortPromise(this.hooks.signal),
    ]);
    clearTimeout(deadlineTimer);
    fire.cancel();

    // Stop issuing new requests, then kill in the same tick: the requests in flight stay in flight.
    writers.stop();
    const inFlight = writers.inFlight();
    const delivered = first !== 'server-exit' && !server.hasExited();
    if (delivered) server.signal(config.nemesis.signal);
    const atMs = history.elapsedMs();
    history.record({ type: 'kill', cycle, incarnation: this.incarnation, signal: config.nemesis.signal, acksThisCycle: acks.value(), inFlight });
    const description = delivered
      ? `${config.nemesis.signal} after ${acks.value()} acks with ${inFlight} in flight` + (first === 'trigger' ? '' : ` (${first})`)
      : 'server exited on its own before the fault';
    this.hooks.onProgress?.({ kind: 'fault', cycle, cycles: config.cycles, description });
    if (first === 'server-exit') await this.recordUnexpectedExit(cycle, server);
    if (first === 'writers-finished') {
      this.addViolation(cycle, 'availability', { kind: 'unavailable', detail: `every writer gave up after ${acks.value()} acknowledged inserts (see history.ndjson responses of cycle ${cycle})` });
    }

    this.step = `cycle ${cycle}: wait for exit`;
    const exit = await withDeadline(server.exited, `server exit after ${config.nemesis.signal}`, config.timeouts.exitMs);
    history.record({ type: 'server-exit', incarnation: this.incarnation, exitCode: exit.exitCode, signal: exit.signal, expected: delivered });
    await withDeadline(writers.finished, 'writers to settle', config.timeouts.requestMs + 5_000);
    this.ledger.settleAllPending();
    const rows = this.ledger.rowCounts(cycle);
    history.record({ type: 'writers-stopped', cycle, acknowledged: rows.acknowledged, failed: rows.failed, indeterminate: rows.indeterminate });
    this.hooks.signal?.throwIfAborted();

    this.step = `cycle ${cycle}: restart`;
    const fault = { signal: config.nemesis.signal, acksThisCycle: acks.value(), inFlight, atMs, delivered };
    let readyMs: number;
    try {
      readyMs = await this.startIncarnation();
    } catch (error) {
      if (this.hooks.signal?.aborted) throw error;
      const stderrTail = this.server ? await tailFile(this.server.stderrPath, 20) : [];
      this.addViolation(cycle, 'recovery', { kind: 'recovery-failed', incarnation: this.incarnation, error: (error as Error).message, stderrTail });
      this.cycles.push({ cycle, trigger, fault, rows, checks: [] });
      return false;
    }

    this.step = `cycle ${cycle}: checks`;
    const checks = await this.runChecks(cycle, before);
    this.cycles.push({ cycle, trigger, fault, rows, restart: { incarnation: this.incarnation, readyMs }, checks });
    const violations = checks.reduce((sum, check) => sum + check.violations.length, 0);
    this.hooks.onProgress?.({ kind: 'checked', cycle, cycles: config.cycles, ok: violations === 0, violations, acknowledged: this.ledger.rowCounts().acknowledged });
    return true;
  }

  private async runChecks(cycle: number, before: Awaited<ReturnType<typeof captureMetadata>>): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const check of this.config.scenario.checks) {
      let result: CheckResult;
      switch (check) {
        case 'acknowledged-writes':
          result = await checkAcknowledgedWrites({
            client: this.client!,
            ledger: this.ledger,
            scopes: this.allScopes(),
            cycle,
            pageSize: this.config.pageSize,
          });
          break;
        case 'metadata':
          result = compareMetadata(before, await captureMetadata(this.client!, this.metadataOptions()), cycle);
          break;
      }
      this.history.record({ type: 'check', cycle, check: result.check, ok: result.ok, violations: result.violations, ...(result.stats ? { stats: result.stats } : {}) });
      for (const violation of result.violations) this.violations.push({ cycle, check: result.check, violation });
      results.push(result);
    }
    return results;
  }

  /** Starts the next incarnation on the same data directory and waits for readiness. */
  private async startIncarnation(): Promise<number> {
    const index = ++this.incarnation;
    if (index === 0 || !(await isPortFree(this.port))) this.port = await findFreePort();
    const dir = this.folder.incarnationDir(index);
    this.serverDirs.push(dir);
    const plan = await this.target.plan({ index, dir, port: this.port });
    await this.client?.close();
    this.server = await launchServer(plan, { incarnation: index, dir, history: this.history, sampleIntervalMs: this.config.sampleIntervalMs, runDir: this.folder.root });
    this.client = createSqlClient({
      baseUrl: this.server.baseUrl,
      auth: this.target.auth,
      credentials: this.target.credentials,
      connections: this.config.workload.writers + 2,
      requestTimeoutMs: this.config.timeouts.requestMs,
      serverLabel: `incarnation ${index} (${this.server.baseUrl})`,
    });
    const readiness = await Promise.race([
      waitUntilReady(this.server, this.client, this.config.timeouts.readyMs),
      abortPromise(this.hooks.signal),
    ]);
    this.history.record({ type: 'server-ready', incarnation: index, readyMs: readiness.readyMs, ...(readiness.version ? { version: readiness.version } : {}) });
    this.hooks.onProgress?.({ kind: 'ready', incarnation: index, readyMs: readiness.readyMs });
    return readiness.readyMs;
  }

  private async recordUnexpectedExit(cycle: number, server: ServerProcess): Promise<void> {
    const exit = await server.exited;
    this.addViolation(cycle, 'availability', {
      kind: 'server-crashed',
      incarnation: server.incarnation,
      exitCode: exit.exitCode,
      signal: exit.signal,
      stderrTail: await tailFile(server.stderrPath, 20),
    });
  }

  private addViolation(cycle: number, check: string, violation: Violation): void {
    this.violations.push({ cycle, check, violation });
    this.history.record({ type: 'check', cycle, check, ok: false, violations: [violation] });
  }

  private scopesOf(table: TableSpec): Scope[] {
    const { workload } = this.config;
    const name = qualifiedName(workload, table);
    return table.type === 'USER' ? workload.users.map((user) => ({ table: name, partition: user })) : [{ table: name, partition: null }];
  }

  private allScopes(): Scope[] {
    return this.config.workload.tables.flatMap((table) => this.scopesOf(table));
  }

  private metadataOptions(): MetadataOptions {
    return {
      namespace: this.config.workload.namespace,
      tableScopes: this.config.workload.tables.map((table) => this.scopesOf(table)),
      volatileColumns: this.config.volatileColumns,
    };
  }

  private async shutdown(): Promise<void> {
    const server = this.server;
    if (server && !server.hasExited()) {
      server.signal('SIGKILL');
      const exit = await withDeadline(server.exited, 'server exit at shutdown', this.config.timeouts.exitMs).catch(() => undefined);
      if (exit) this.history.record({ type: 'server-exit', incarnation: this.incarnation, exitCode: exit.exitCode, signal: exit.signal, expected: true });
    }
    await this.client?.close().catch(() => {});
  }

  private parameters(): Record<string, unknown> {
    const { config } = this;
    return {
      cycles: config.cycles,
      workload: config.workload,
      nemesis: config.nemesis,
      timeouts: config.timeouts,
      pageSize: config.pageSize,
      volatileColumns: config.volatileColumns,
    };
  }

  private result(startedAt: Date, error: { step: string; message: string } | undefined, interrupted: string | undefined): RunResult {
    let verdict: Verdict;
    let exitCode: number;
    if (interrupted) {
      verdict = 'interrupted';
      exitCode = interrupted === 'SIGTERM' ? EXIT_CODES.interruptedBySigterm : EXIT_CODES.interruptedBySigint;
    } else if (this.violations.length > 0) {
      verdict = 'fail';
      exitCode = EXIT_CODES.fail;
    } else if (error) {
      verdict = 'error';
      exitCode = EXIT_CODES.error;
    } else {
      verdict = 'pass';
      exitCode = EXIT_CODES.pass;
    }
    const finishedAt = new Date();
    this.history.record({ type: 'run-end', verdict, exitCode, durationMs: finishedAt.getTime() - startedAt.getTime() });
    return {
      schemaVersion: RESULT_SCHEMA_VERSION,
      tool: { name: 'kalam-chaos', version: packageVersion() },
      scenario: this.config.scenario.name,
      seed: this.config.seed,
      verdict,
      exitCode,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      target: this.target.describe(),
      parameters: this.parameters(),
      schedule: this.schedule,
      cycles: this.cycles,
      totals: { requests: this.ledger.requestCount(), rows: this.ledger.rowCounts() },
      violations: this.violations,
      ...(error ? { error } : {}),
      files: { history: this.folder.historyPath, servers: this.serverDirs },
    };
  }
}

/**
 * Rejects when the run is interrupted. Marked handled up front: it usually outlives the race it
 * was made for, and a late rejection must not become an unhandled one.
 */
function abortPromise(signal: AbortSignal | undefined): Promise<never> {
  const promise = new Promise<never>((_, reject) => {
    if (!signal) return;
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  promise.catch(() => {});
  return promise;
}
