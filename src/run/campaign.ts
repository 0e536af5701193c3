import fs from 'fs-extra';
import { captureMetadata, compareMetadata, type MetadataOptions } from '../checker/metadata.js';
import { checkAcknowledgedWrites } from '../checker/acknowledged-writes.js';
import type { CheckResult, Scope, StorageInspectionMoment, Violation } from '../checker/types.js';
import { createSqlClient, type SqlClient } from '../client/sql-client.js';
import { rowsAsObjects } from '../client/responses.js';
import { openHistory, type History } from '../history/history.js';
import { createAckCounter, planKillTriggers, triggerFired, type KillTrigger } from '../nemesis/kill-trigger.js';
import { killDuringFlush } from '../nemesis/flush-kill.js';
import { combineLandedPhases, planFlushCycles, type FlushCyclePlan } from '../nemesis/flush-plan.js';
import { flushJobIds, jobIdFromFlushAnswer, listFlushJobs, waitForFlushJob } from '../nemesis/jobs-poll.js';
import { classifyLandedPhase, snapshotScope, type ScopeSnapshot } from '../nemesis/phase-classifier.js';
import { detectSyscallInjection, wrapWithSyscallKill, type SyscallInjectionSupport } from '../nemesis/strace.js';
import { baselineOf, inspectDataDir, type InspectionBaseline } from '../storage/index.js';
import { describeFlushKill, type FlushCycleResult } from '../report/result.js';
import type { LaunchPlan } from '../target/types.js';
import { detectPowerLoss, startLossLayer, type LossLayer } from '../power-loss/lossfs.js';
import { snapshotDataDir } from '../report/snapshot.js';
import { TargetSetupError } from '../target/kalamdb.js';
import { summarizePowerCut, type PowerCutSummary } from '../report/result.js';
import { join, relative } from 'node:path';
import type { ManifestArchive } from '../nemesis/corruption.js';
import { EXIT_CODES, RESULT_SCHEMA_VERSION, type CycleResult, type RunResult, type Verdict, type ViolationRecord } from '../report/result.js';
import type { NemesisSpec, ScenarioDefinition } from '../scenario/types.js';
import { generateCredentials } from '../target/credentials.js';
import { assertTargetLaunchable, createTarget, type TargetSpec } from '../target/index.js';
import { findFreePort, isPortFree } from '../target/ports.js';
import { waitUntilReady } from '../target/readiness.js';
import { reapOrphans } from '../target/server-registry.js';
import { launchServer, stopServer, tailFile, type ServerExit, type ServerProcess } from '../target/supervisor.js';
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
import { abortPromise } from '../util/abort.js';
import { createRunFolder, RunFolderError, type RunFolder } from './run-folder.js';
import { classifyFlushLanding } from './flush-landing.js';
import { storageCheck } from '../checker/storage.js';
import { runCorruptionCycle, type CorruptionCycleContext } from './corruption-cycle.js';
import { claimDataDir } from './data-dir.js';
import { writeReportArtifacts } from '../report/write-artifacts.js';
import { SegmentImmutability, segmentImmutabilityCheck } from '../checker/segment-immutability.js';
import { hashCommittedSegments } from '../storage/segment-hashes.js';
import { attachLossForensics } from '../forensics/attach.js';
import type { SnapshotRecord } from '../forensics/locate-lost.js';
import type { HistoryEvent } from '../history/events.js';
import { createTableAvailabilityLog, TABLE_UNAVAILABLE } from '../checker/table-unavailable.js';
import { DEFAULT_FLUSH_DEADLINE_MS, FLUSH_STUCK, flushToCompletion, hotness, type FlushMark } from '../checker/flush-stuck.js';
import { firstBootFinding, type FirstBootFinding } from '../power-loss/first-boot.js';
import { ackLossFigures } from '../report/ack-loss.js';
import { everyScopeNotFound, judgeUnrecoverable, readBackFailures, tablesPresent, tapFailures } from './unrecoverable.js';

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
  /** Follow every kill with a power cut (lossfs); the power-loss scenario always does. */
  readonly powerCut?: { readonly loss: 'unsynced' | 'torn' };
  /** tar.gz of the data directory at each crash, before the restart; skipped above the cap. */
  readonly snapshots?: { readonly capBytes: number };
  /** A data directory outside the run folder (default: the run folder's data/). */
  readonly dataDir?: { readonly path: string; readonly userOwnsIt: boolean };
  /** flush-stuck: how long a flush asked after a restart may take to complete (default 30 s). */
  readonly flushDeadlineMs?: number;
}

export type ProgressEvent =
  | { kind: 'started'; runDir: string; target: string; cycles: number }
  | { kind: 'orphan-stopped'; pid: number; runDir: string }
  | { kind: 'ready'; incarnation: number; readyMs: number }
  | { kind: 'fault'; cycle: number; cycles: number; description: string }
  | { kind: 'checked'; cycle: number; cycles: number; ok: boolean; violations: number; acknowledged: number }
  | { kind: 'finished'; result: RunResult; runDir: string }
  /** Twice a second while a campaign runs, for a live status line. */
  | { kind: 'tick'; cycle: number; cycles: number; acknowledged: number; violations: number };

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

/** Whether kills are followed by power cuts, and what they lose. */
function powerCutOf(config: CampaignConfig): { loss: 'unsynced' | 'torn' } | undefined {
  return config.nemesis.kind === 'power-loss' ? { loss: config.nemesis.loss } : config.powerCut;
}

/** Runs one campaign end to end and writes its run folder. Never leaves a server running. */
export async function runCampaign(config: CampaignConfig, hooks: CampaignHooks = {}): Promise<RunResult> {
  assertTargetLaunchable(config.target);
  for (const orphan of await reapOrphans()) {
    hooks.onProgress?.({ kind: 'orphan-stopped', pid: orphan.pgid, runDir: orphan.runDir });
  }
  let lossPython: string | undefined;
  if (powerCutOf(config)) {
    const support = await detectPowerLoss();
    if (!support.available) throw new TargetSetupError(`power-loss needs lossfs, a FUSE layer this machine cannot provide: ${support.reason}`);
    lossPython = support.python;
  }
  const claimedDataDir = config.dataDir ? await claimDataDir(config.dataDir.path, config.dataDir.userOwnsIt) : undefined;
  const startedAt = new Date();
  const created = await createRunFolder(config.outDir, config.scenario.name, config.seed, startedAt);
  const folder = claimedDataDir ? { ...created, dataDir: claimedDataDir } : created;
  const history = openHistory(folder.historyPath);
  // Under power loss the server sees its data directory through the lossfs mount; data/ is the backing store.
  const serverDataDir = lossPython ? join(folder.root, 'mnt') : folder.dataDir;
  if (lossPython) await fs.ensureDir(serverDataDir);
  const target = createTarget(config.target, serverDataDir, generateCredentials());
  const campaign = new Campaign(config, hooks, folder, history, target, lossPython);
  const result = await campaign.run(startedAt);
  try {
    await fs.writeJson(folder.resultPath, result, { spaces: 2 });
  } catch (error) {
    await history.close().catch(() => undefined);
    throw new RunFolderError(`cannot write ${folder.resultPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  await history.close().catch((error: Error) => {
    throw new RunFolderError(error.message);
  });
  await writeReportArtifacts(folder.root).catch(() => undefined);
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
  /** kill-mid-flush only: each cycle's table, delay and rename. */
  private readonly flushPlans: FlushCyclePlan[];
  private storageBaseline: InspectionBaseline | undefined;
  private readonly manifestArchive: ManifestArchive = new Map();
  private readonly cycles: CycleResult[] = [];
  private readonly violations: ViolationRecord[] = [];
  private readonly serverDirs: string[] = [];
  private step = 'start';
  private syscallSupport: SyscallInjectionSupport | undefined;
  private lossLayer: LossLayer | undefined;
  private readonly segmentFold = new SegmentImmutability();
  private readonly snapshotRecords: SnapshotRecord[] = [];
  /** table-unavailable: what the server answered per table and incarnation, fed by every history event. */
  private readonly availability = createTableAvailabilityLog();
  private readonly reportedUnavailable = new Set<string>();
  /** flush-stuck: per table, the request ids around its last completed flush. */
  private readonly flushMarks = new Map<string, FlushMark>();
  private flushCommandRequestId = 0;
  private readyAtEpochMs = 0;
  private firstBoot: FirstBootFinding | undefined;

  constructor(
    private readonly config: CampaignConfig,
    private readonly hooks: CampaignHooks,
    private readonly folder: RunFolder,
    private readonly history: History,
    private readonly target: Target,
    private readonly lossPython?: string,
  ) {
    this.history = { ...history, record: (event) => (this.availability.observe(event), history.record(event)) };
    const random = seededRandom(config.seed);
    this.workloadState = initialWorkloadState(config.workload, config.seed);
    const nemesis = config.nemesis;
    const nemesisRandom = random.fork('nemesis');
    this.schedule = planKillTriggers(nemesis.kind === 'kill-mid-insert' || nemesis.kind === 'power-loss' ? nemesis.trigger : nemesis.warmup, nemesisRandom, config.cycles);
    this.flushPlans =
      nemesis.kind === 'kill-mid-flush'
        ? planFlushCycles(nemesis, config.workload.tables.map((table) => table.name), nemesisRandom.fork('flush'), config.cycles)
        : [];
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
    const ticker = setInterval(() => {
      this.hooks.onProgress?.({
        kind: 'tick',
        cycle: Math.min(this.cycles.length + 1, config.cycles),
        cycles: config.cycles,
        acknowledged: this.ledger.rowCounts().acknowledged,
        violations: this.violations.length,
      });
    }, 500);
    ticker.unref();
    try {
      this.step = 'start server';
      const precise = config.nemesis.kind === 'kill-mid-flush' && config.nemesis.precision === 'syscall';
      // Under strace a server dies at its Nth rename; priming's own renames must not count, so it runs unwrapped.
      await this.startIncarnation(precise ? undefined : 1);
      this.step = 'create schema';
      const existing = rowsAsObjects(await this.client!.query('SELECT * FROM system.namespaces LIMIT 1000'));
      if (existing.some((row) => row.namespace_id === config.workload.namespace || row.name === config.workload.namespace)) {
        throw new StepError('create schema', `namespace ${config.workload.namespace} already exists in data directory ${this.folder.dataDir}: a campaign's ledger starts empty, so it needs a data directory without that namespace`);
      }
      const statements = schemaStatements(config.workload);
      for (const statement of statements) await this.client!.query(statement);
      history.record({ type: 'setup', cycle: 0, statements: statements.length });
      await this.settleFirstBoot();
      if (config.nemesis.kind === 'kill-mid-flush' || config.nemesis.kind === 'corrupt') {
        this.step = 'prime the cold tier';
        await this.primeColdTier();
        if (precise) {
          this.step = 'restart under strace';
          const exit = await this.stopGracefully();
          history.record({ type: 'server-exit', incarnation: this.incarnation, exitCode: exit.exitCode, signal: exit.signal, expected: true });
          await this.startIncarnation(1);
        }
      }
      for (let cycle = 1; cycle <= config.cycles; cycle++) {
        this.hooks.signal?.throwIfAborted();
        const recovered = await this.runCycle(cycle);
        if (!recovered) break;
      }
      this.step = 'stop server';
      if (this.server) {
        const exit = await this.stopGracefully();
        history.record({ type: 'server-exit', incarnation: this.incarnation, exitCode: exit.exitCode, signal: exit.signal, expected: true });
      }
      if (config.scenario.checks.includes('table-unavailable')) this.recordTableAvailability(this.cycles.length, true);
      if (config.scenario.checks.includes('storage')) {
        this.step = 'final storage inspection';
        const result = await this.inspectStorage(this.cycles.length, 'end');
        if (!result.ok) for (const violation of result.violations) this.violations.push({ cycle: this.cycles.length, check: result.check, violation });
      }
      this.step = 'final segment hashes';
      const segments = await this.observeSegments(this.cycles.length, 'end');
      for (const violation of segments.violations) this.violations.push({ cycle: this.cycles.length, check: segments.check, violation });
      this.step = 'loss forensics';
      await attachLossForensics({
        violations: this.violations,
        history: this.history,
        liveDataDir: this.folder.dataDir,
        snapshots: this.snapshotRecords,
        crashCycles: this.cycles.map((cycle) => cycle.cycle),
        ...(this.config.snapshots ? {} : { snapshotsOff: 'crash snapshots were off (--no-snapshots)' }),
      });
    } catch (caught) {
      if (this.hooks.signal?.aborted) {
        interrupted = String(this.hooks.signal.reason ?? 'SIGINT');
      } else {
        const step = caught instanceof StepError ? caught.step : this.step;
        error = { step, message: (caught as Error).message };
        history.record({ type: 'error', cycle: this.cycles.length, step, message: error.message });
      }
    } finally {
      clearInterval(ticker);
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
    if (config.nemesis.kind === 'corrupt') {
      const { result, violations } = await runCorruptionCycle(this.corruptionContext(), cycle, config.nemesis, trigger, before);
      this.violations.push(...violations);
      this.cycles.push(result);
      const count = result.checks.reduce((sum, check) => sum + check.violations.length, 0);
      this.hooks.onProgress?.({ kind: 'checked', cycle, cycles: config.cycles, ok: count === 0, violations: count, acknowledged: this.ledger.rowCounts().acknowledged });
      return true;
    }
    const signal = config.nemesis.signal;

    this.step = `cycle ${cycle}: workload`;
    const acks = createAckCounter();
    const server = this.server!;
    const tap = tapFailures(history);
    const writers = startWriters({
      client: this.client!,
      spec: config.workload,
      state: this.workloadState,
      ledger: this.ledger,
      history: tap.history,
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

    let delivered: boolean;
    let inFlight: number;
    let flush: FlushCycleResult | undefined;
    let flushBefore: ScopeSnapshot[] = [];
    const nemesis = config.nemesis;
    if (nemesis.kind === 'kill-mid-flush' && first === 'trigger') {
      // The writers keep going through the flush: a flush under load is the case that matters.
      this.step = `cycle ${cycle}: flush and kill`;
      const plan = this.flushPlans[cycle - 1]!;
      const scopeDirs = this.flushScopeDirs(plan.table);
      flushBefore = await Promise.all(scopeDirs.map((dir) => snapshotScope(dir)));
      let writersInFlight = 0;
      this.flushCommandRequestId = this.workloadState.nextRequestId;
      const outcome = await killDuringFlush({
        client: this.client!,
        server,
        dataDir: this.target.dataDir,
        namespace: config.workload.namespace,
        table: plan.table,
        phase: nemesis.phase,
        precision: nemesis.precision,
        randomDelayMs: plan.randomDelayMs,
        deadlineMs: config.timeouts.cycleMs,
        ...(this.hooks.signal ? { signal: this.hooks.signal } : {}),
        kill: () => {
          // Same tick as the observation: stop issuing requests, then kill; requests in flight stay in flight.
          writers.stop();
          writersInFlight = writers.inFlight();
          server.signal(signal);
        },
      });
      writers.stop();
      inFlight = outcome.ended === 'killed' ? writersInFlight : writers.inFlight();
      delivered = outcome.ended === 'killed' || outcome.trigger === 'syscall';
      flush = { ...plan, intended: nemesis.phase, precision: nemesis.precision, ...outcome, scopes: scopeDirs.map((dir) => relative(this.target.dataDir, dir)) };
      history.record({ type: 'flush-kill', cycle, ...flush });
      if (outcome.ended === 'server-exit' && outcome.trigger !== 'syscall') await this.recordUnexpectedExit(cycle, server);
    } else {
      // Stop issuing new requests, then kill in the same tick: the requests in flight stay in flight.
      writers.stop();
      inFlight = writers.inFlight();
      delivered = first !== 'server-exit' && !server.hasExited();
      if (delivered) server.signal(signal);
      if (first === 'server-exit') await this.recordUnexpectedExit(cycle, server);
    }
    const atMs = history.elapsedMs();
    history.record({ type: 'kill', cycle, incarnation: this.incarnation, signal: signal, acksThisCycle: acks.value(), inFlight });
    const description = !delivered
      ? 'server exited on its own before the fault'
      : flush
        ? `${signal} ${describeFlushKill(flush)} after ${acks.value()} acks with ${inFlight} in flight`
        : `${signal} after ${acks.value()} acks with ${inFlight} in flight` + (first === 'trigger' ? '' : ` (${first})`);
    this.hooks.onProgress?.({ kind: 'fault', cycle, cycles: config.cycles, description });
    if (first === 'writers-finished') {
      this.addViolation(cycle, 'availability', { kind: 'unavailable', detail: `every writer gave up after ${acks.value()} acknowledged inserts (see history.ndjson responses of cycle ${cycle})` });
    }

    this.step = `cycle ${cycle}: wait for exit`;
    const exit = await withDeadline(server.exited, `server exit after ${signal}`, config.timeouts.exitMs);
    history.record({ type: 'server-exit', incarnation: this.incarnation, exitCode: exit.exitCode, signal: exit.signal, expected: delivered });
    await withDeadline(writers.finished, 'writers to settle', config.timeouts.requestMs + 5_000);
    this.ledger.settleAllPending();
    let powerCut: PowerCutSummary | undefined;
    if (this.lossLayer) {
      this.step = `cycle ${cycle}: power cut`;
      const report = await this.lossLayer.cut();
      this.lossLayer = undefined;
      powerCut = summarizePowerCut(report);
      history.record({ type: 'power-cut', cycle, ...powerCut });
    }
    let crashChecks: CheckResult[] = [];
    if (flush) {
      // Read the disk as the crash left it, before the restart cleans up temp files and orphans.
      const after = await Promise.all(this.flushScopeDirs(flush.table).map((dir) => snapshotScope(dir)));
      flush = { ...flush, landedOnDisk: combineLandedPhases(after.map((snapshot, index) => classifyLandedPhase(flushBefore[index]!, snapshot))) };
    }
    if (config.scenario.checks.includes('storage')) crashChecks = [await this.inspectStorage(cycle, 'after-crash')];
    crashChecks.push(await this.observeSegments(cycle, 'after-crash'));
    await this.snapshotCrash(cycle);
    const rows = this.ledger.rowCounts(cycle);
    history.record({ type: 'writers-stopped', cycle, acknowledged: rows.acknowledged, failed: rows.failed, indeterminate: rows.indeterminate });
    const testedNothing = rows.acknowledged === 0 ? `no write was acknowledged (${rows.failed} row(s) failed, ${rows.indeterminate} indeterminate)` : undefined;
    this.hooks.signal?.throwIfAborted();

    this.step = `cycle ${cycle}: restart`;
    const fault = { signal: signal, acksThisCycle: acks.value(), inFlight, atMs, delivered };
    let readyMs: number;
    try {
      readyMs = await this.startIncarnation(cycle < config.cycles ? cycle + 1 : undefined);
    } catch (error) {
      if (this.hooks.signal?.aborted || error instanceof StepError) throw error;
      const stderrTail = this.server ? await tailFile(this.server.stderrPath, 20) : [];
      this.addViolation(cycle, 'recovery', { kind: 'recovery-failed', incarnation: this.incarnation, error: (error as Error).message, stderrTail });
      this.cycles.push({ cycle, trigger, fault, rows, ...(flush ? { flush } : {}), ...(powerCut ? { powerCut } : {}), checks: crashChecks, ...(testedNothing ? { testedNothing } : {}) });
      return false;
    }

    if (flush) flush = await this.classifyFlush(cycle, flush);
    this.step = `cycle ${cycle}: checks`;
    const afterRestart = await tablesPresent(this.client!, config.workload.namespace, config.workload.tables.map((table) => table.name));
    const checks = [...crashChecks, ...(await this.runChecks(cycle, before))];
    for (const check of crashChecks) for (const violation of check.violations) this.violations.push({ cycle, check: check.check, violation });
    this.cycles.push({ cycle, trigger, fault, rows, ...(flush ? { flush } : {}), ...(powerCut ? { powerCut } : {}), restart: { incarnation: this.incarnation, readyMs }, checks, ...(testedNothing ? { testedNothing } : {}) });
    const unrecoverable = judgeUnrecoverable({
      cycle,
      namespace: config.workload.namespace,
      tables: config.workload.tables.map((table) => table.name),
      afterRestart,
      everyScopeNotFound: everyScopeNotFound(checks, this.allScopes()),
      rows,
      workloadAfterRestart: cycle > 1,
      failures: [...tap.failures(), ...readBackFailures(checks)],
    });
    if (unrecoverable) this.addViolation(cycle, 'recovery', unrecoverable);
    else if (testedNothing && !this.violations.some((record) => record.cycle === cycle && (record.violation.kind === 'unavailable' || record.violation.kind === 'server-crashed'))) {
      this.addViolation(cycle, 'coverage', { kind: 'untested', detail: `cycle ${cycle} tested nothing: ${testedNothing}` });
    }
    const violations = checks.reduce((sum, check) => sum + check.violations.length, 0);
    this.hooks.onProgress?.({ kind: 'checked', cycle, cycles: config.cycles, ok: violations === 0 && !testedNothing && !unrecoverable, violations, acknowledged: this.ledger.rowCounts().acknowledged });
    return !unrecoverable;
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
        case 'storage':
          result = await this.inspectStorage(cycle, 'after-restart');
          break;
        case 'table-unavailable':
          result = this.recordTableAvailability(cycle, false);
          break;
        case 'flush-stuck':
          result = await this.flushHotTables(cycle);
          break;
      }
      this.history.record({ type: 'check', cycle, check: result.check, ok: result.ok, violations: result.violations, ...(result.stats ? { stats: result.stats } : {}) });
      for (const violation of result.violations) this.violations.push({ cycle, check: result.check, violation });
      results.push(result);
    }
    const segments = await this.observeSegments(cycle, 'after-restart');
    this.history.record({ type: 'check', cycle, check: segments.check, ok: segments.ok, violations: segments.violations, ...(segments.stats ? { stats: segments.stats } : {}) });
    for (const violation of segments.violations) this.violations.push({ cycle, check: segments.check, violation });
    results.push(segments);
    return results;
  }

  /** Starts the next incarnation on the same data directory and waits for readiness. */
  /** `forCycle`: the cycle this incarnation will serve, for a syscall-precise kill aimed at it. */
  private async startIncarnation(forCycle: number | undefined): Promise<number> {
    const index = ++this.incarnation;
    if (index === 0 || !(await isPortFree(this.port))) this.port = await findFreePort();
    const dir = this.folder.incarnationDir(index);
    this.serverDirs.push(dir);
    await this.ensureLossLayer(index, dir).catch((error: Error) => {
      throw new StepError(`start incarnation ${index}`, `power-loss layer: ${error.message}`);
    });
    const plan = await this.wrapForSyscallKill(await this.target.plan({ index, dir, port: this.port }), forCycle, dir);
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
    this.readyAtEpochMs = Date.now();
    this.history.record({ type: 'server-ready', incarnation: index, readyMs: readiness.readyMs, ...(readiness.version ? { version: readiness.version } : {}) });
    this.hooks.onProgress?.({ kind: 'ready', incarnation: index, readyMs: readiness.readyMs });
    return readiness.readyMs;
  }

  /** SIGTERM, SIGKILL after the grace period. */
  private async stopGracefully(): Promise<ServerExit> {
    // kalamdb-server (actix) waits on SIGTERM for open keep-alive connections: without closing them the stop takes the whole grace period and ends in SIGKILL.
    await this.client?.close();
    return stopServer(this.server!, this.config.timeouts.exitMs);
  }

  private corruptionContext(): CorruptionCycleContext {
    return {
      config: this.config,
      hooks: this.hooks,
      runDir: this.folder.root,
      dataDir: this.target.dataDir,
      history: this.historySeenBySegmentFold(),
      ledger: this.ledger,
      workloadState: this.workloadState,
      manifestArchive: this.manifestArchive,
      client: () => this.client!,
      server: () => this.server!,
      incarnation: () => this.incarnation,
      setStep: (step) => {
        this.step = step;
      },
      startIncarnation: () => this.startIncarnation(undefined),
      stopServer: () => this.stopGracefully(),
      flushTable: (table, cycle) => this.flushAndWait(table, cycle),
      snapshotCrash: (cycle) => this.snapshotCrash(cycle),
      runChecks: (cycle, before) => this.runChecks(cycle, before),
      allScopes: () => this.allScopes(),
    };
  }

  private async flushAndWait(table: TableSpec, cycle: number): Promise<void> {
    const commandBefore = this.workloadState.nextRequestId;
    const before = await flushJobIds(this.client!);
    const answer = await this.client!.query(`STORAGE FLUSH TABLE ${qualifiedName(this.config.workload, table)}`);
    const answeredJobId = jobIdFromFlushAnswer(answer.message);
    const job = await waitForFlushJob(this.client!, {
      namespace: this.config.workload.namespace,
      table: table.name,
      status: 'completed',
      sinceJobIds: before,
      ...(answeredJobId ? { jobId: answeredJobId } : {}),
      deadlineMs: this.config.timeouts.cycleMs,
      ...(this.hooks.signal ? { signal: this.hooks.signal } : {}),
    });
    this.history.record({ type: 'flush-primed', table: table.name, jobId: job.jobId, cycle });
    this.flushMarks.set(table.name, { commandBefore, completedBefore: this.workloadState.nextRequestId });
  }

  /**
   * table-unavailable over the history so far: each (table, incarnation) once, when the incarnation
   * has ended (or at the end of the run, `final`). Violations are collected here, not by runChecks.
   */
  private recordTableAvailability(cycle: number, final: boolean): CheckResult {
    const fresh = this.availability.findings({ final }).filter((finding) => !this.reportedUnavailable.has(finding.key));
    for (const finding of fresh) this.reportedUnavailable.add(finding.key);
    const violations = fresh.map((finding) => finding.violation);
    const result: CheckResult = { check: TABLE_UNAVAILABLE, cycle, ok: violations.length === 0, violations };
    if (final && violations.length > 0) {
      this.history.record({ type: 'check', cycle, check: result.check, ok: false, violations });
      for (const violation of violations) this.violations.push({ cycle, check: result.check, violation });
    }
    return result;
  }

  /** flush-stuck: every table with hot rows is flushed and its job followed to completion. */
  private async flushHotTables(cycle: number): Promise<CheckResult> {
    const { workload } = this.config;
    const violations: Violation[] = [];
    const stats = { flushed: 0, completed: 0 };
    for (const table of workload.tables) {
      const acknowledgedHot = hotness(this.maxAcknowledgedRequest(table), this.flushMarks.get(table.name), table.flushPolicy !== undefined);
      if (acknowledgedHot === 'none') continue;
      // Acknowledged rows this cycle found lost are not in the hot tier either: `no pending writes` is then no evidence of a stuck flush.
      const name = qualifiedName(workload, table);
      const lostHere = this.violations.some((record) => record.cycle === cycle && record.violation.kind === 'lost' && record.violation.table === name);
      const hot = lostHere ? 'maybe' : acknowledgedHot;
      const commandBefore = this.workloadState.nextRequestId;
      this.step = `cycle ${cycle}: flush ${table.name} after the restart`;
      const outcome = await flushToCompletion({
        client: this.client!,
        namespace: workload.namespace,
        table: table.name,
        hot,
        deadlineMs: this.config.flushDeadlineMs ?? DEFAULT_FLUSH_DEADLINE_MS,
        readySinceMs: this.readyAtEpochMs,
        cycle,
        incarnation: this.incarnation,
        record: (event) => this.history.record(event),
        ...(this.hooks.signal ? { signal: this.hooks.signal } : {}),
      });
      stats.flushed++;
      if (!outcome.ok) violations.push(outcome.violation);
      else if (outcome.completed) {
        stats.completed++;
        this.flushMarks.set(table.name, { commandBefore, completedBefore: this.workloadState.nextRequestId });
      }
    }
    return { check: FLUSH_STUCK, cycle, ok: violations.length === 0, violations, stats };
  }

  private maxAcknowledgedRequest(table: TableSpec): number | undefined {
    let max: number | undefined;
    for (const scope of this.scopesOf(table)) {
      for (const row of this.ledger.rowsIn(scope).rows.values()) {
        if (row.outcome === 'acknowledged' && (max === undefined || row.requestId > max)) max = row.requestId;
      }
    }
    return max;
  }

  private async snapshotCrash(cycle: number): Promise<void> {
    if (!this.config.snapshots) return;
    const outcome = await snapshotDataDir(this.folder.dataDir, join(this.folder.root, 'snapshots', `cycle-${cycle}.tar.gz`), this.config.snapshots.capBytes);
    this.history.record({ type: 'snapshot', cycle, ...(outcome.taken ? { path: relative(this.folder.root, outcome.path), dataBytes: outcome.dataBytes } : { skipped: outcome.reason }) });
    this.snapshotRecords.push(outcome.taken ? { cycle, path: outcome.path } : { cycle, skipped: outcome.reason });
  }

  /** Hashes every committed segment; a name whose content changed since it was recorded is a violation. */
  private async observeSegments(cycle: number, when: StorageInspectionMoment): Promise<CheckResult> {
    const hashes = await hashCommittedSegments(this.target.dataDir);
    const violations: Violation[] = [];
    for (const event of this.segmentFold.sightings(hashes, cycle, when)) {
      this.history.record(event);
      violations.push(...this.segmentFold.note(event));
    }
    return segmentImmutabilityCheck(violations, cycle, when, hashes.length);
  }

  /** The history as the corruption cycle writes it, with its corruption events also told to the segment fold. */
  private historySeenBySegmentFold(): History {
    return {
      ...this.history,
      record: (event: HistoryEvent) => {
        this.segmentFold.note(event);
        this.history.record(event);
      },
    };
  }

  /**
   * Power loss: once the first boot, the schema and the users are in place, everything written so
   * far counts as durable (a journal commit); what a cut at that moment would have lost is kept as
   * the first-boot finding.
   */
  private async settleFirstBoot(): Promise<void> {
    if (!this.lossLayer) return;
    this.step = 'settle the data directory after first boot';
    this.firstBoot = firstBootFinding(await this.lossLayer.settle());
    this.history.record({
      type: 'settle',
      cycle: 0,
      reason: 'first-boot',
      atRisk: this.firstBoot.namesNotDurable,
      filesNotSynced: this.firstBoot.filesNotSynced,
      entryOperationsNotDurable: this.firstBoot.entryOperationsNotDurable,
    });
  }

  /** Power loss: each incarnation's data directory is a fresh lossfs mount over the backing data/. */
  private async ensureLossLayer(incarnation: number, dir: string): Promise<void> {
    const powerCut = powerCutOf(this.config);
    if (!this.lossPython || !powerCut || this.lossLayer) return;
    this.lossLayer = await startLossLayer({
      backing: this.folder.dataDir,
      mount: this.target.dataDir,
      report: join(dir, 'power-cut.json'),
      loss: powerCut.loss,
      seed: seededRandom(this.config.seed).fork(`power-cut-${incarnation}`).int(1, 2 ** 31 - 1),
      python: this.lossPython,
    });
  }

  /** In syscall precision the incarnation serving a cycle runs under strace aimed at that cycle's rename. */
  private async wrapForSyscallKill(plan: LaunchPlan, forCycle: number | undefined, dir: string): Promise<LaunchPlan> {
    const rename = forCycle === undefined ? undefined : this.flushPlans[forCycle - 1]?.killAtRename;
    if (rename === undefined) return plan;
    const support = (this.syscallSupport ??= await detectSyscallInjection());
    if (!support.available) {
      throw new StepError('start server', `--precise needs strace fault injection, which this machine cannot provide: ${support.reason}`);
    }
    // Node spreads file syscalls over its thread pool and strace counts per thread; one pool thread keeps the count exact.
    const env = this.target.kind === 'reference' ? { ...plan.env, UV_THREADPOOL_SIZE: '1' } : plan.env;
    return wrapWithSyscallKill({ ...plan, env }, { syscalls: ['rename'], nth: rename, logFile: join(dir, 'strace.log') });
  }

  private flushScopeDirs(table: string): string[] {
    const { workload } = this.config;
    const tableDir = join(this.target.dataDir, 'storage', workload.namespace, table);
    const spec = workload.tables.find((candidate) => candidate.name === table);
    return spec?.type === 'USER' ? workload.users.map((user) => join(tableDir, user)) : [tableDir];
  }

  /** Writes a first segment into every scope, so later flushes find their folders (and watches) in place. */
  private async primeColdTier(): Promise<void> {
    const { config } = this;
    const acks = createAckCounter();
    const writers = startWriters({
      client: this.client!,
      spec: config.workload,
      state: this.workloadState,
      ledger: this.ledger,
      history: this.history,
      cycle: 0,
      onAcknowledged: () => acks.add(1),
    });
    await Promise.race([acks.reached(40), writers.finished, abortPromise(this.hooks.signal)]);
    writers.stop();
    await withDeadline(writers.finished, 'priming writers to settle', config.timeouts.requestMs + 5_000);
    for (const table of config.workload.tables) await this.flushAndWait(table, 0);
  }

  /** Adds the job's state after the restart: a job that completed before the kill means the kill came after the flush. */
  private async classifyFlush(cycle: number, flush: FlushCycleResult): Promise<FlushCycleResult> {
    const classified = classifyFlushLanding(flush, await listFlushJobs(this.client!).catch(() => []));
    // A flush that reached its manifest may have taken every acknowledged row: from here on they are only maybe hot.
    if (classified.landed === 'flush-completed' || classified.landed === 'manifest-written') {
      this.flushMarks.set(flush.table, { commandBefore: this.flushCommandRequestId, completedBefore: this.workloadState.nextRequestId });
    }
    this.history.record({ type: 'flush-landed', cycle, intended: flush.intended, landed: classified.landed ?? 'before-flush', asIntended: classified.asIntended ?? false });
    return classified;
  }

  /** `kalam-chaos inspect` on the run's data directory; versions must never go backwards between inspections. */
  private async inspectStorage(cycle: number, when: StorageInspectionMoment): Promise<CheckResult> {
    const inspection = await inspectDataDir(this.target.dataDir, this.storageBaseline ? { previous: this.storageBaseline } : {});
    // A crash-state inspection that found damage must not become the baseline the restart is held to.
    if (when !== 'after-crash' || inspection.ok) this.storageBaseline = baselineOf(inspection);
    this.history.record({ type: 'storage-inspection', cycle, when, ok: inspection.ok, totals: inspection.totals, findings: inspection.findings });
    return storageCheck(inspection, cycle, when);
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
    await this.lossLayer?.stop().catch(() => {});
    this.lossLayer = undefined;
  }

  private parameters(): Record<string, unknown> {
    const { config } = this;
    return {
      cycles: config.cycles,
      workload: config.workload,
      nemesis: config.nemesis,
      ...(config.powerCut ? { powerCut: config.powerCut } : {}),
      ...(config.flushDeadlineMs !== undefined ? { flushDeadlineMs: config.flushDeadlineMs } : {}),
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
      ...(this.firstBoot ? { firstBoot: this.firstBoot } : {}),
      ...(this.config.scenario.checks.includes('acknowledged-writes')
        ? { ackLoss: ackLossFigures(this.cycles, this.violations, this.ledger.rowCounts().acknowledged) }
        : {}),
    };
  }
}
