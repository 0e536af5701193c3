/**
 * Flush-phase triggers on one server, many flushes: how often each watch-mode trigger lands in its
 * phase, against the share a random delay lands there, and its latency.
 *
 * A campaign kills and restarts the server at every flush, and on the real binary a flush job killed
 * mid-flush blocks every later flush of its table (FINDINGS.md F1), so campaigns cannot give it a
 * hundred flushes. Here the trigger freezes the server (SIGSTOP, from the same worker thread and at
 * the same moment a campaign's SIGKILL would go), the scope folder is read as a kill would have left
 * it, and the server is let go (SIGCONT) to finish the flush. The landed phase is the campaign's
 * classification of that folder; the job's own times (system.jobs, read once it has finished) stand in
 * for its state after a restart: finished at or before the signal means flush-completed, started
 * before it means job-running when the folder shows nothing yet.
 *
 * Latency, two ways: the worker thread's own clock (event in its callback → signal sent), and, in a
 * second pass with the server under strace, the server's syscall that made the event → the server
 * receiving the signal (strace-times.ts). The first pass has no strace, so its landing figures are
 * those of an untraced server.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createSqlClient, type SqlClient } from '../../src/client/sql-client.js';
import { discardHistory } from '../../src/history/history.js';
import type { FileTriggerThread, TriggerSource } from '../../src/nemesis/file-trigger-thread.js';
import { packageRoot } from '../../src/util/package-root.js';
import { pathToFileURL } from 'node:url';
import { isFilePhase } from '../../src/nemesis/file-trigger.js';
import { landedAsIntended, type FlushPhase, type LandedPhase } from '../../src/nemesis/flush-phase.js';
import { jobIdFromFlushAnswer, listFlushJobs, waitForFlushJob } from '../../src/nemesis/jobs-poll.js';
import { classifyLandedPhase, snapshotScope } from '../../src/nemesis/phase-classifier.js';
import { generateCredentials } from '../../src/target/credentials.js';
import { createTarget, type TargetSpec } from '../../src/target/index.js';
import { findFreePort } from '../../src/target/ports.js';
import { waitUntilReady } from '../../src/target/readiness.js';
import { launchServer, stopServer, type ServerProcess } from '../../src/target/supervisor.js';
import type { LaunchPlan } from '../../src/target/types.js';
import { delay, waitFor } from '../../src/util/wait.js';
import { eventTimes, firstEventBetween, parseStraceLines } from './strace-times.js';

/**
 * The compiled module (the bench builds first): its worker is plain JS, where the TypeScript one
 * would spend a second per flush registering tsx in each new worker.
 */
const { armTrigger } = (await import(pathToFileURL(join(packageRoot(), 'dist', 'src', 'nemesis', 'file-trigger-thread.js')).href)) as typeof import('../../src/nemesis/file-trigger-thread.js');

export interface ProbeSample {
  readonly phase: FlushPhase;
  /** False when the flush finished before the trigger fired (landed flush-completed). */
  readonly fired: boolean;
  readonly landed: LandedPhase;
  readonly asIntended: boolean;
  /** Worker thread: event in its callback → signal sent. */
  readonly threadLatencyMs?: number;
  /** Epoch ms: the trigger armed (before the flush command), and right after its signal was sent. */
  readonly armedAt: number;
  readonly signalledAt?: number;
}

export interface ProbeRun {
  readonly samples: ProbeSample[];
  /** Per phase, from the strace pass: server syscall → server receiving the signal. */
  readonly straceLatencies: Partial<Record<FlushPhase, number[]>>;
}

const NAMESPACE = 'probe';
const TABLE = 'flushed';
const JOB_DEADLINE_MS = 30_000;

interface ProbeServer {
  readonly server: ServerProcess;
  readonly client: SqlClient;
  /** The server process itself (under strace, strace's child). */
  readonly pid: number;
  readonly dataDir: string;
  readonly straceLog?: string;
  stop(): Promise<void>;
}

/** Only the syscalls that make a phase's event: every traced call stops the server, and writes are many. */
const TRACED: Record<FlushPhase, string> = {
  'job-running': 'write',
  'tmp-written': 'openat',
  'segment-renamed': 'rename,renameat,renameat2',
  'manifest-written': 'rename,renameat,renameat2',
  'hot-deleting': 'rename,renameat,renameat2,write,pwrite64,writev,pwritev',
  random: 'rename,renameat,renameat2',
};

function withStrace(plan: LaunchPlan, logFile: string, phases: readonly FlushPhase[]): LaunchPlan {
  const traced = `trace=${[...new Set(phases.flatMap((phase) => TRACED[phase].split(',')))].join(',')}`;
  const args = ['-f', '-ttt', '-qq', '-y', '-s', '400', '--seccomp-bpf', '-o', logFile, '-e', traced, '-e', 'signal=SIGSTOP,SIGCONT', '--', plan.command, ...plan.args];
  return { ...plan, command: 'strace', args };
}

function childOf(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.length > 0 ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

async function startProbeServer(spec: TargetSpec, dir: string, strace: boolean, phases: readonly FlushPhase[]): Promise<ProbeServer> {
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const credentials = generateCredentials({});
  const target = createTarget(spec, dataDir, credentials);
  const incarnationDir = join(dir, 'server');
  const plan = await target.plan({ index: 0, dir: incarnationDir, port: await findFreePort() });
  const straceLog = strace ? join(dir, 'strace.log') : undefined;
  const server = await launchServer(straceLog ? withStrace(plan, straceLog, phases) : plan, { incarnation: 0, dir: incarnationDir, history: discardHistory(), sampleIntervalMs: 0 });
  const client = createSqlClient({ baseUrl: server.baseUrl, auth: spec.auth, credentials, requestTimeoutMs: 30_000 });
  const stop = async () => {
    await client.close().catch(() => {});
    await stopServer(server);
  };
  try {
    await waitUntilReady(server, client, 60_000);
    const pid = straceLog ? await waitFor(() => childOf(server.pid), { what: 'the server under strace', timeoutMs: 10_000, intervalMs: 20 }) : server.pid;
    return { server, client, pid, dataDir, ...(straceLog ? { straceLog } : {}), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function sql(client: SqlClient, statement: string): Promise<string | undefined> {
  const outcome = await client.execute(statement);
  if (outcome.kind !== 'success') throw new Error(`${statement}: ${outcome.kind === 'error' ? `${outcome.code}: ${outcome.message}` : outcome.reason}`);
  return outcome.results[0]?.message;
}

/** Writers inserting into the flushed table all along, as a campaign's do. */
function startWriters(client: SqlClient, count: number): { stop(): Promise<void> } {
  let stopped = false;
  let nextId = 1_000_000;
  const loops = Array.from({ length: count }, async (_, writer) => {
    while (!stopped) {
      const ids = Array.from({ length: 10 }, () => nextId++);
      const outcome = await client.execute(`INSERT INTO ${NAMESPACE}.${TABLE} (id, payload, writer) VALUES ${ids.map((id) => `(${id}, 'payload-${id}', ${writer})`).join(', ')}`);
      if (outcome.kind !== 'success') await delay(5);
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

function sourceFor(phase: FlushPhase, dataDir: string, logPath: string): TriggerSource | undefined {
  const storageDir = join(dataDir, 'storage');
  if (isFilePhase(phase)) return { kind: 'storage', storageDir, phase };
  if (phase === 'hot-deleting') return { kind: 'hot-delete', storageDir, rocksdbDir: join(dataDir, 'rocksdb') };
  if (phase === 'job-running') return { kind: 'job-log', logPath, namespace: NAMESPACE, table: TABLE };
  return undefined;
}

/** One flush: trigger, freeze, read the scope, let go, classify. */
async function probeOnce(probe: ProbeServer, phase: FlushPhase, randomDelayMs: number): Promise<ProbeSample> {
  const scopeDir = join(probe.dataDir, 'storage', NAMESPACE, TABLE);
  await sql(probe.client, `INSERT INTO ${NAMESPACE}.${TABLE} (id, payload, writer) VALUES (${Date.now() * 10 + Math.floor(Math.random() * 10)}, 'probe', 99)`);
  const before = await snapshotScope(scopeDir);
  const armedAt = performance.timeOrigin + performance.now();
  const source = sourceFor(phase, probe.dataDir, probe.server.stdoutPath);
  let thread: FileTriggerThread | undefined;
  if (source) thread = await armTrigger(source, probe.pid, { signal: 'SIGSTOP', processOnly: true });
  try {
    let randomFired: { killedAt: number } | undefined;
    const answer = await sql(probe.client, `STORAGE FLUSH TABLE ${NAMESPACE}.${TABLE}`);
    const jobId = jobIdFromFlushAnswer(answer);
    if (!jobId) throw new Error(`the flush answer names no job: ${answer}`);
    thread?.tellJob(jobId);
    let timer: NodeJS.Timeout | undefined;
    const random = new Promise<{ killedAt: number }>((resolve) => {
      if (phase !== 'random') return;
      timer = setTimeout(() => {
        process.kill(probe.pid, 'SIGSTOP');
        resolve((randomFired = { killedAt: performance.timeOrigin + performance.now() }));
      }, randomDelayMs);
    });
    const jobDone = waitForFlushJob(probe.client, { namespace: NAMESPACE, table: TABLE, status: 'completed', jobId, deadlineMs: JOB_DEADLINE_MS }).then(() => undefined);
    const fired = await Promise.race([thread ? thread.killed : random, jobDone]);
    clearTimeout(timer);
    const signalled = fired ?? randomFired;
    if (!signalled && thread) {
      // The flush finished first; a trigger that still fires before its worker is gone froze the server after it.
      await thread.close();
      if (thread.fired()) process.kill(probe.pid, 'SIGCONT');
    }
    let onDisk: LandedPhase = 'flush-completed';
    if (signalled) {
      onDisk = classifyLandedPhase(before, await snapshotScope(scopeDir));
      process.kill(probe.pid, 'SIGCONT');
    }
    await jobDone;
    const job = (await listFlushJobs(probe.client)).find((candidate) => candidate.jobId === jobId);
    let landed = onDisk;
    if (signalled) {
      const at = signalled.killedAt;
      const finished = Number(job?.finishedAt);
      const started = Number(job?.startedAt);
      // Times are whole ms: finished in the signal's ms counts as done; started must be a whole ms earlier.
      const logSawStart = 'observed' in signalled && signalled.observed === `job ${jobId} started`;
      if (Number.isFinite(finished) && finished <= at) landed = 'flush-completed';
      else if (onDisk === 'before-flush' && (logSawStart || (Number.isFinite(started) && started + 1 <= at))) landed = 'job-running';
    }
    const threadLatencyMs = signalled && 'observedAt' in signalled ? signalled.killedAt - signalled.observedAt : undefined;
    return {
      phase,
      armedAt,
      fired: signalled !== undefined,
      landed,
      asIntended: phase !== 'random' && landedAsIntended(phase, landed),
      ...(threadLatencyMs !== undefined ? { threadLatencyMs } : {}),
      ...(signalled ? { signalledAt: signalled.killedAt } : {}),
    };
  } finally {
    await thread?.close();
  }
}

export interface ProbeOptions {
  readonly spec: TargetSpec;
  readonly dir: string;
  readonly phases: readonly FlushPhase[];
  readonly samples: number;
  readonly writers: number;
  readonly strace: boolean;
  /** A seeded random delay (ms after the flush answer) for each random sample. */
  readonly randomDelayMs: (index: number) => number;
}

/** Runs every phase's samples on one fresh server, then stops it and removes its folder. */
export async function probeFlushTriggers(options: ProbeOptions): Promise<ProbeRun> {
  rmSync(options.dir, { recursive: true, force: true });
  const probe = await startProbeServer(options.spec, options.dir, options.strace, options.phases);
  const samples: ProbeSample[] = [];
  try {
    await sql(probe.client, `CREATE NAMESPACE IF NOT EXISTS ${NAMESPACE}`);
    await sql(probe.client, `CREATE TABLE ${NAMESPACE}.${TABLE} (id BIGINT PRIMARY KEY, payload TEXT NOT NULL, writer INT NOT NULL) WITH (TYPE = 'SHARED')`);
    await sql(probe.client, `INSERT INTO ${NAMESPACE}.${TABLE} (id, payload, writer) VALUES (1, 'first', 0)`);
    const first = jobIdFromFlushAnswer(await sql(probe.client, `STORAGE FLUSH TABLE ${NAMESPACE}.${TABLE}`));
    await waitForFlushJob(probe.client, { namespace: NAMESPACE, table: TABLE, status: 'completed', ...(first ? { jobId: first } : {}), deadlineMs: JOB_DEADLINE_MS });
    const writers = startWriters(probe.client, options.writers);
    try {
      let index = 0;
      for (const phase of options.phases) {
        for (let sample = 0; sample < options.samples; sample++) samples.push(await probeOnce(probe, phase, options.randomDelayMs(index++)));
      }
    } finally {
      await writers.stop();
    }
  } finally {
    if (!probe.server.hasExited()) process.kill(probe.pid, 'SIGCONT');
    await probe.stop();
  }
  const straceLatencies: Partial<Record<FlushPhase, number[]>> = {};
  if (probe.straceLog) {
    const lines = parseStraceLines(readFileSync(probe.straceLog, 'utf8'));
    for (const phase of options.phases) {
      const events = eventTimes(lines, phase);
      straceLatencies[phase] = samples.flatMap((sample) => {
        if (sample.phase !== phase || sample.signalledAt === undefined) return [];
        const eventAt = firstEventBetween(events, sample.armedAt, sample.signalledAt);
        return eventAt === undefined ? [] : [sample.signalledAt - eventAt];
      });
    }
  }
  if (!process.env.BENCH_KEEP_PROBE) rmSync(options.dir, { recursive: true, force: true });
  return { samples, straceLatencies };
}

/** Leftover folders of interrupted probes (the bench removes them as it goes). */
export function probeDirs(root: string): string[] {
  try {
    return readdirSync(root).filter((name) => name.startsWith('probe-')).map((name) => join(root, name));
  } catch {
    return [];
  }
}
