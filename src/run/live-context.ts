import { join } from 'node:path';
import { createSqlClient, type SqlClient } from '../client/sql-client.js';
import { createRunFacts } from '../history/run-facts.js';
import type { History } from '../history/history.js';
import { flushJobIds, flushWasSkipped, jobIdFromFlushAnswer, waitForFlushJob, waitForTableFlushesIdle } from '../nemesis/jobs-poll.js';
import { stageSnapshot } from '../report/snapshot.js';
import { findFreePort, isPortFree } from '../target/ports.js';
import { waitUntilReady } from '../target/readiness.js';
import { launchServer, stopServer, type ServerExit, type ServerProcess } from '../target/supervisor.js';
import type { Target } from '../target/types.js';
import { abortPromise } from '../util/abort.js';
import { withDeadline } from '../util/wait.js';
import { resourceProblem, ToolResourceError } from '../util/tool-errors.js';
import type { HistoryEvent } from '../vocabulary/events.js';
import type { RunFolder } from './run-folder.js';
import type { CampaignConfig, CampaignContext, Nemesis, ProbeMoment, Workload } from './seams.js';

/** A failure of the tool at a named step: reported as an error, never as a database violation. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

export interface LiveContext extends CampaignContext {
  step(): string;
  /**
   * Crash snapshot of the backing data directory (tar.gz), when snapshots are on. Resolves once the
   * directory has been read; it is compressed, and its `snapshot` event recorded, in the background
   * once the next incarnation is ready (or has failed to be), so the gzip does not slow its start.
   */
  snapshotCrash(cycle: number): Promise<void>;
  /** Until every snapshot taken so far is compressed and recorded. Never throws. */
  settleSnapshots(): Promise<void>;
  /** SIGKILL whatever still runs, close the client. Never throws. */
  shutdown(): Promise<void>;
  serverDirs(): string[];
}

export interface LiveContextOptions {
  readonly config: CampaignConfig;
  readonly signal: AbortSignal | undefined;
  readonly folder: RunFolder;
  readonly dataDir: string;
  readonly target: Target;
  readonly workload: Workload;
  readonly nemeses: readonly Nemesis[];
  /** Every event goes here first (the history file, the live verdict...). */
  readonly history: History;
  readonly onEvent: (event: HistoryEvent) => void;
  /** The tool itself can go on no longer (its fds or disk ran out): the campaign must stop as an error. */
  readonly onToolFailure?: (error: Error) => void;
  readonly onReady: (incarnation: number, readyMs: number) => void;
  readonly probes: (moment: ProbeMoment, cycle: number, ctx: CampaignContext) => Promise<void>;
}

/** The campaign's hold on the live server: incarnations started and stopped, the client, the history. */
export function createLiveContext(options: LiveContextOptions): LiveContext {
  const { config, folder, target, history } = options;
  const facts = createRunFacts();
  let server: ServerProcess | undefined;
  let client: SqlClient | undefined;
  let incarnation = -1;
  let port = 0;
  let step = 'start';
  let readyAt = 0;
  const serverDirs: string[] = [];
  const unpackedSnapshots: (() => Promise<void>)[] = [];
  const packingSnapshots = new Set<Promise<void>>();
  const packSnapshots = (): void => {
    for (const pack of unpackedSnapshots.splice(0)) {
      const packing = pack();
      packingSnapshots.add(packing);
      void packing.finally(() => packingSnapshots.delete(packing));
    }
  };

  const record = (event: HistoryEvent): void => {
    history.record(event);
    facts.observe(event);
    options.onEvent(event);
    // A request the tool could not even send for want of its own resources says nothing of the server.
    if (event.type === 'response' && event.outcome !== 'acknowledged' && event.error) {
      const code = resourceProblem(new Error(event.error));
      if (code) options.onToolFailure?.(new ToolResourceError(`request ${event.requestId} could not be made by the tool: ${event.error}`));
    }
  };
  const startHistory: History = { ...history, record };

  const ctx: LiveContext = {
    config,
    signal: options.signal,
    runDir: folder.root,
    dataDir: options.dataDir,
    backingDataDir: folder.dataDir,
    target,
    workload: options.workload,
    facts,
    record,
    elapsedMs: () => history.elapsedMs(),
    setStep: (name) => {
      step = name;
    },
    step: () => step,
    client: () => {
      if (!client) throw new StepError(step, 'no server has been started yet');
      return client;
    },
    server: () => {
      if (!server) throw new StepError(step, 'no server has been started yet');
      return server;
    },
    incarnation: () => incarnation,
    readyAtEpochMs: () => readyAt,
    async startIncarnation(forCycle) {
      const index = ++incarnation;
      if (index === 0 || !(await isPortFree(port))) port = await findFreePort();
      const dir = folder.incarnationDir(index);
      serverDirs.push(dir);
      let plan = await target.plan({ index, dir, port });
      for (const nemesis of options.nemeses) {
        if (!nemesis.launch) continue;
        try {
          plan = await nemesis.launch(ctx, plan, { index, dir, forCycle });
        } catch (error) {
          throw new StepError(`start incarnation ${index}`, (error as Error).message);
        }
      }
      await client?.close();
      server = await launchServer(plan, { incarnation: index, dir, history: startHistory, sampleIntervalMs: config.sampleIntervalMs, runDir: folder.root });
      client = createSqlClient({
        baseUrl: server.baseUrl,
        auth: target.auth,
        credentials: target.credentials,
        connections: config.workload.writers + 2,
        requestTimeoutMs: config.timeouts.requestMs,
        serverLabel: `incarnation ${index} (${server.baseUrl})`,
      });
      const readiness = await Promise.race([waitUntilReady(server, client, config.timeouts.readyMs), abortPromise(options.signal)]).finally(packSnapshots);
      readyAt = Date.now();
      record({ type: 'server-ready', incarnation: index, readyMs: readiness.readyMs, ...(readiness.version ? { version: readiness.version } : {}) });
      options.onReady(index, readiness.readyMs);
      return readiness.readyMs;
    },
    async stopServer(): Promise<ServerExit> {
      // kalamdb-server (actix) waits on SIGTERM for open keep-alive connections: without closing them the stop takes the whole grace period and ends in SIGKILL.
      await client?.close();
      return stopServer(ctx.server(), config.timeouts.exitMs);
    },
    async flushTable(table, cycle) {
      const commandBefore = facts.nextRequestId();
      let before = await flushJobIds(ctx.client());
      let answer = await ctx.client().query(`STORAGE FLUSH TABLE ${options.workload.qualifiedName(table)}`);
      // A table with a small FLUSH_POLICY may be flushing by itself: let that flush end and ask again.
      for (let attempt = 0; flushWasSkipped(answer.message) && attempt < 5; attempt++) {
        const where = { namespace: options.workload.namespace, table: table.name, deadlineMs: config.timeouts.cycleMs, ...(options.signal ? { signal: options.signal } : {}) };
        await waitForTableFlushesIdle(ctx.client(), where);
        before = await flushJobIds(ctx.client());
        answer = await ctx.client().query(`STORAGE FLUSH TABLE ${options.workload.qualifiedName(table)}`);
        if (/no pending writes/i.test(answer.message ?? '')) {
          // Nothing hot and no flush running: every row acknowledged so far is in the cold tier.
          record({ type: 'flush-mark', cycle, table: table.name, commandBefore, completedBefore: facts.nextRequestId() });
          return;
        }
      }
      const answeredJobId = jobIdFromFlushAnswer(answer.message);
      const job = await waitForFlushJob(ctx.client(), {
        namespace: options.workload.namespace,
        table: table.name,
        status: 'completed',
        sinceJobIds: before,
        ...(answeredJobId ? { jobId: answeredJobId } : {}),
        deadlineMs: config.timeouts.cycleMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      record({ type: 'flush-primed', table: table.name, jobId: job.jobId, cycle });
      record({ type: 'flush-mark', cycle, table: table.name, commandBefore, completedBefore: facts.nextRequestId() });
    },
    runProbes: (moment, cycle) => options.probes(moment, cycle, ctx),
    async snapshotCrash(cycle) {
      if (!config.snapshots) return;
      const path = join('snapshots', `cycle-${cycle}.tar.gz`);
      const staged = await stageSnapshot(folder.dataDir, join(folder.root, path), config.snapshots.capBytes, options.signal);
      unpackedSnapshots.push(async () => {
        const outcome = await staged.pack();
        record({ type: 'snapshot', cycle, ...(outcome.taken ? { path, dataBytes: outcome.dataBytes } : { skipped: outcome.reason }) });
      });
    },
    async settleSnapshots() {
      packSnapshots();
      await Promise.all(packingSnapshots);
    },
    async shutdown() {
      if (server && !server.hasExited()) {
        server.signal('SIGKILL');
        const exit = await withDeadline(server.exited, 'server exit at shutdown', config.timeouts.exitMs).catch(() => undefined);
        if (exit) record({ type: 'server-exit', incarnation, exitCode: exit.exitCode, signal: exit.signal, expected: true });
      }
      await client?.close().catch(() => {});
      await ctx.settleSnapshots();
      for (const nemesis of options.nemeses) await nemesis.close?.().catch(() => {});
    },
    serverDirs: () => [...serverDirs],
  };
  return ctx;
}
