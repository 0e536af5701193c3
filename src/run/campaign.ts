import { join } from 'node:path';
import { checkersFor } from '../checker/registry.js';
import { attachLossForensics } from '../forensics/attach.js';
import type { SnapshotRecord } from '../forensics/locate-lost.js';
import { openHistory } from '../history/history.js';
import { nemesisDefinition } from '../nemesis/registry.js';
import { countsOf } from '../nemesis/prime.js';
import { writeReportArtifacts } from '../report/write-artifacts.js';
import { generateCredentials } from '../target/credentials.js';
import { assertTargetLaunchable, createTarget } from '../target/index.js';
import { reapOrphans } from '../target/server-registry.js';
import { tailFile } from '../target/supervisor.js';
import { packageVersion } from '../util/package-root.js';
import { seededRandom } from '../util/random.js';
import { withDeadline } from '../util/wait.js';
import { describeErrno, resourceProblem, ToolResourceError } from '../util/tool-errors.js';
import { writeJsonAtomic, writeJsonAtomicSync } from '../util/atomic-write.js';
import { onEmergencyExit } from './emergency.js';
import type { HistoryEvent } from '../vocabulary/events.js';
import { rowsAsObjects } from '../client/responses.js';
import type { RunResult } from '../vocabulary/result.js';
import { createMix } from '../workload/mix.js';
import { claimDataDir } from './data-dir.js';
import { markDataDir } from './data-dir-marker.js';
import { createLiveContext, StepError, type LiveContext } from './live-context.js';
import { createRunFolder, RunFolderError, type RunFolder } from './run-folder.js';
import type { CampaignConfig, CampaignTimeouts, Nemesis, ProbeMoment } from './seams.js';
import { createLiveVerdict, type LiveVerdict } from './verdict.js';

export type { CampaignConfig, CampaignTimeouts } from './seams.js';

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

/** What result.json records as the campaign's parameters, and what the judges read back from run-start. */
export function campaignParameters(config: CampaignConfig): Record<string, unknown> {
  return {
    cycles: config.cycles,
    workload: config.workload,
    faults: config.faults,
    checks: config.scenario.checks,
    minAcks: config.minAcks,
    maxMissedPhaseShare: config.maxMissedPhaseShare,
    ...(config.flushDeadlineMs !== undefined ? { flushDeadlineMs: config.flushDeadlineMs } : {}),
    timeouts: config.timeouts,
    pageSize: config.pageSize,
    volatileColumns: config.volatileColumns,
  };
}

/** Runs one campaign end to end and writes its run folder. Never leaves a server running. */
export async function runCampaign(config: CampaignConfig, hooks: CampaignHooks = {}): Promise<RunResult> {
  assertTargetLaunchable(config.target);
  for (const orphan of await reapOrphans()) hooks.onProgress?.({ kind: 'orphan-stopped', pid: orphan.pgid, runDir: orphan.runDir });
  const random = seededRandom(config.seed).fork('nemesis');
  const nemeses = config.faults.map((spec) => nemesisDefinition(spec).create(spec, { config, random }));
  for (const nemesis of nemeses) await nemesis.prepare?.();
  const claimedDataDir = config.dataDir ? await claimDataDir(config.dataDir.path, config.dataDir.userOwnsIt) : undefined;
  const startedAt = new Date();
  const created = await createRunFolder(config.outDir, config.scenario.name, config.seed, startedAt);
  const folder: RunFolder = claimedDataDir ? { ...created, dataDir: claimedDataDir } : created;
  if (claimedDataDir) await markDataDir(claimedDataDir, { runDir: created.root }).catch(() => undefined);
  // The tool's own failures (a history the disk will not take) stop the campaign as an interrupt does, but end as an error.
  const toolFailure = new AbortController();
  const signal = hooks.signal ? AbortSignal.any([hooks.signal, toolFailure.signal]) : toolFailure.signal;
  const history = openHistory(folder.historyPath, (error) => toolFailure.abort(new ToolResourceError(error.message)));
  const campaign = new Campaign(config, { ...hooks, signal }, nemeses, toolFailure.signal);
  const dataDir = nemeses.reduce((dir, nemesis) => nemesis.serverDataDir?.(folder.root, folder.dataDir) ?? dir, folder.dataDir);
  const ctx = createLiveContext({
    config,
    signal,
    folder,
    dataDir,
    target: createTarget(config.target, dataDir, generateCredentials()),
    workload: createMix(config.workload, config.seed),
    nemeses,
    history,
    onEvent: (event) => campaign.observe(event),
    onToolFailure: (error) => toolFailure.abort(error),
    onReady: (incarnation, readyMs) => hooks.onProgress?.({ kind: 'ready', incarnation, readyMs }),
    probes: (moment, cycle) => campaign.probe(moment, cycle),
  });
  // Forced out before result.json is on disk, the tool still leaves one: the final result if the campaign got that far, else the verdict so far.
  let finished: RunResult | undefined;
  const stopEmergency = onEmergencyExit(() => writeJsonAtomicSync(folder.resultPath, finished ?? campaign.partialResult(ctx)));
  let result: RunResult;
  try {
    result = await campaign.run(ctx, startedAt);
    finished = result;
    const historyFailure = await history.close().then(
      () => undefined,
      (error: Error) => error,
    );
    try {
      await writeJsonAtomic(folder.resultPath, result);
    } catch (error) {
      const cause = historyFailure ? `${historyFailure.message}; ` : result.error ? `${result.error.message}; ` : '';
      throw new RunFolderError(`${cause}cannot write ${folder.resultPath}: ${describeErrno(error as NodeJS.ErrnoException)} (servers stopped, no result written)`);
    }
    if (historyFailure) {
      hooks.onProgress?.({ kind: 'finished', result, runDir: folder.root });
      return result;
    }
  } finally {
    stopEmergency();
  }
  await writeReportArtifacts(folder.root).catch(() => undefined);
  hooks.onProgress?.({ kind: 'finished', result, runDir: folder.root });
  return result;
}

/** Sequences a campaign: setup, then each cycle through the workload, the faults and the checkers' probes. */
class Campaign {
  private verdict: LiveVerdict | undefined;
  private readonly probes;
  private readonly crasher: Nemesis;
  /**
   * Faults that do not crash set up first (a power cut settles the first boot before the crash
   * fault primes the cold tier); after the crash, the crash fault reads the disk as its kill left
   * it before the others act on it (then the power is cut).
   */
  private readonly setupOrder: readonly Nemesis[];
  private readonly crashOrder: readonly Nemesis[];
  private readonly snapshots: SnapshotRecord[] = [];
  private cyclesDone = 0;
  private acknowledged = 0;

  constructor(
    private readonly config: CampaignConfig,
    private readonly hooks: CampaignHooks,
    private readonly nemeses: readonly Nemesis[],
    /** Aborted, with the reason, when the tool itself can go on no longer. */
    private readonly toolFailure: AbortSignal,
  ) {
    this.probes = checkersFor(config.scenario.checks, config.workload.mix).map((checker) => checker.probes?.() ?? {});
    const crashers = nemeses.filter((nemesis) => nemesis.crash);
    if (crashers.length !== 1) throw new Error(`a campaign needs exactly one fault that crashes the server, got ${crashers.length}: ${nemeses.map((n) => n.kind).join(', ')}`);
    this.crasher = crashers[0]!;
    this.setupOrder = [...nemeses.filter((nemesis) => !nemesis.crash), this.crasher];
    this.crashOrder = [this.crasher, ...nemeses.filter((nemesis) => !nemesis.crash)];
  }

  /** Every recorded event, in order: the live verdict folds it as `kalam-chaos check` later will. */
  observe(event: HistoryEvent): void {
    if (event.type === 'run-start') this.verdict = createLiveVerdict(event);
    this.verdict?.observe(event);
    if (event.type === 'response' && event.outcome === 'acknowledged') this.acknowledged++;
    if (event.type === 'snapshot') this.snapshots.push(event.path ? { cycle: event.cycle, path: event.path } : { cycle: event.cycle, skipped: event.skipped ?? 'skipped' });
  }

  async probe(moment: ProbeMoment, cycle: number): Promise<void> {
    for (const probes of this.probes) await probes[moment]?.(this.ctx!, cycle);
  }

  private ctx: LiveContext | undefined;

  async run(ctx: LiveContext, startedAt: Date): Promise<RunResult> {
    this.ctx = ctx;
    const { config, hooks } = this;
    ctx.record({
      type: 'run-start',
      scenario: config.scenario.name,
      seed: config.seed,
      options: campaignParameters(config),
      target: ctx.target.describe(),
      startedAt: startedAt.toISOString(),
      ...(this.crasher.schedule ? { schedule: [...this.crasher.schedule] } : {}),
    });
    hooks.onProgress?.({ kind: 'started', runDir: ctx.runDir, target: ctx.target.kind, cycles: config.cycles });
    const ticker = setInterval(() => {
      const cycle = Math.min(this.cyclesDone + 1, config.cycles);
      hooks.onProgress?.({ kind: 'tick', cycle, cycles: config.cycles, acknowledged: this.acknowledged, violations: this.verdict?.records().length ?? 0 });
    }, 500);
    ticker.unref();
    try {
      ctx.setStep('start server');
      await ctx.startIncarnation(1);
      await this.createSchema(ctx);
      for (const nemesis of this.setupOrder) await nemesis.setup?.(ctx);
      for (let cycle = 1; cycle <= config.cycles; cycle++) {
        hooks.signal?.throwIfAborted();
        const goOn = await this.runCycle(ctx, cycle);
        this.cyclesDone = cycle;
        if (!goOn) break;
      }
      ctx.setStep('stop server');
      if (!ctx.server().hasExited()) {
        const exit = await ctx.stopServer();
        ctx.record({ type: 'server-exit', incarnation: ctx.incarnation(), exitCode: exit.exitCode, signal: exit.signal, expected: true });
      }
      ctx.setStep('final inspection');
      await ctx.runProbes('end', this.cyclesDone);
      ctx.setStep('loss forensics');
      await ctx.settleSnapshots();
      await attachLossForensics({
        violations: this.verdict!.records(),
        history: { path: '', record: (event) => ctx.record(event), elapsedMs: () => ctx.elapsedMs(), close: async () => {} },
        liveDataDir: ctx.backingDataDir,
        snapshots: this.snapshots.map((record) => ('path' in record && record.path ? { cycle: record.cycle, path: join(ctx.runDir, record.path) } : record)),
        crashCycles: Array.from({ length: this.cyclesDone }, (_, index) => index + 1),
        ...(config.snapshots ? {} : { snapshotsOff: 'crash snapshots were off (--no-snapshots)' }),
      });
    } catch (caught) {
      if (this.toolFailure.aborted) {
        ctx.record({ type: 'error', cycle: this.cyclesDone, step: ctx.step(), message: (this.toolFailure.reason as Error).message });
      } else if (hooks.signal?.aborted) {
        ctx.record({ type: 'interrupted', cycle: this.cyclesDone, signal: String(hooks.signal.reason ?? 'SIGINT') });
      } else {
        const step = caught instanceof StepError ? caught.step : ctx.step();
        ctx.record({ type: 'error', cycle: this.cyclesDone, step, message: (caught as Error).message });
      }
    } finally {
      clearInterval(ticker);
      await ctx.shutdown();
    }
    const finishedAt = new Date();
    const result = this.verdict!.finish({ runDir: ctx.runDir, toolVersion: packageVersion(), finishedAt: finishedAt.toISOString() });
    ctx.record({ type: 'run-end', verdict: result.verdict, exitCode: result.exitCode, durationMs: result.durationMs, finishedAt: result.finishedAt });
    return result;
  }

  /** What can be said synchronously when the tool is forced to exit mid-run: the verdict so far, interrupted. */
  partialResult(ctx: LiveContext): RunResult {
    const signal = String(this.hooks.signal?.reason ?? 'SIGINT');
    ctx.record({ type: 'interrupted', cycle: this.cyclesDone, signal: signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT' });
    return this.verdict!.finish({ runDir: ctx.runDir, toolVersion: packageVersion(), finishedAt: new Date().toISOString() });
  }

  private async createSchema(ctx: LiveContext): Promise<void> {
    ctx.setStep('create schema');
    const { namespace } = ctx.workload;
    const existing = rowsAsObjects(await ctx.client().query('SELECT * FROM system.namespaces LIMIT 1000'));
    if (existing.some((row) => row.namespace_id === namespace || row.name === namespace)) {
      throw new StepError('create schema', `namespace ${namespace} already exists in data directory ${ctx.backingDataDir}: a campaign's ledger starts empty, so it needs a data directory without that namespace`);
    }
    for (const nemesis of this.nemeses) await nemesis.beforeSchema?.(ctx);
    const statements = ctx.workload.schema();
    for (const statement of statements) await ctx.client().query(statement);
    ctx.record({ type: 'setup', cycle: 0, statements: statements.length });
  }

  /** One crash-restart cycle; false when the run cannot go on. */
  private async runCycle(ctx: LiveContext, cycle: number): Promise<boolean> {
    const { config, hooks } = this;
    // The last crash snapshot compresses while the server restarts and is checked; not into this cycle's traffic.
    await ctx.settleSnapshots();
    const trigger = this.crasher.schedule?.[cycle - 1];
    ctx.record({ type: 'nemesis-planned', cycle, fault: this.crasher.kind, trigger: trigger ?? { kind: 'after-acks', acks: 0 } });
    ctx.setStep(`cycle ${cycle}: before the fault`);
    await ctx.runProbes('before-fault', cycle);
    for (const nemesis of this.setupOrder) await nemesis.beforeCycle?.(ctx, cycle);

    ctx.setStep(`cycle ${cycle}: workload`);
    const traffic = ctx.workload.start(ctx, cycle);
    const crash = await this.crasher.crash!(ctx, cycle, traffic);
    await withDeadline(traffic.finished, 'writers to settle', config.timeouts.requestMs + 5_000);
    ctx.record({ type: 'writers-stopped', cycle, ...countsOf(ctx, cycle) });
    const notes: string[] = [];
    for (const nemesis of this.crashOrder) {
      const note = await nemesis.afterCrash?.(ctx, cycle);
      if (note) notes.push(note);
    }
    hooks.onProgress?.({ kind: 'fault', cycle, cycles: config.cycles, description: [crash.description, ...notes].join(', ') });
    ctx.setStep(`cycle ${cycle}: the crashed disk`);
    await ctx.runProbes('after-crash', cycle);
    await ctx.snapshotCrash(cycle);
    hooks.signal?.throwIfAborted();

    ctx.setStep(`cycle ${cycle}: restart`);
    const restartedBy = this.nemeses.find((nemesis) => nemesis.restart);
    const restarted = restartedBy ? await restartedBy.restart!(ctx, cycle) : await this.restart(ctx, cycle);
    if (restarted) {
      for (const nemesis of this.crashOrder) await nemesis.afterRestart?.(ctx, cycle);
      ctx.setStep(`cycle ${cycle}: checks`);
      await ctx.runProbes('after-restart', cycle);
    }
    ctx.record({ type: 'cycle-end', cycle });
    const violations = this.verdict!.violationsIn(cycle);
    hooks.onProgress?.({ kind: 'checked', cycle, cycles: config.cycles, ok: violations === 0, violations, acknowledged: this.acknowledged });
    return restarted && !this.verdict!.stopsRun(cycle);
  }

  /** Starts the next incarnation; a server that does not come back is recorded (recovery-failed), not thrown. */
  private async restart(ctx: LiveContext, cycle: number): Promise<boolean> {
    try {
      const readyMs = await ctx.startIncarnation(cycle < this.config.cycles ? cycle + 1 : undefined);
      ctx.record({ type: 'restart', cycle, incarnation: ctx.incarnation(), readyMs });
      return true;
    } catch (error) {
      // A server that cannot be started for want of the tool's own resources did not fail to recover.
      if (this.hooks.signal?.aborted || error instanceof StepError || resourceProblem(error)) throw error;
      const stderrTail = await tailFile(ctx.server().stderrPath, 20).catch(() => []);
      ctx.record({ type: 'restart-failed', cycle, incarnation: ctx.incarnation(), error: (error as Error).message, stderrTail });
      return false;
    }
  }
}

