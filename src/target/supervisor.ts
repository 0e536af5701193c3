import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import fs from 'fs-extra';
import { execa } from 'execa';
import type { History } from '../history/history.js';
import type { LaunchPlan } from './types.js';
import { registerGroup, signalGroup, unregisterGroup } from './process-registry.js';
import { forgetServer, recordServer } from './server-registry.js';
import { processSampler } from './process-usage.js';
import { describeErrno, resourceProblem, ToolResourceError } from '../util/tool-errors.js';
import { openFileShortage } from '../util/open-files.js';

export interface ServerExit {
  readonly exitCode: number | null;
  readonly signal: string | null;
}

/** One running incarnation of a server, in its own process group. */
export interface ServerProcess {
  readonly incarnation: number;
  readonly pid: number;
  readonly baseUrl: string;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** Resolves when the process has exited; never rejects. */
  readonly exited: Promise<ServerExit>;
  hasExited(): boolean;
  /** Sends a signal to the whole process group. */
  signal(signal: NodeJS.Signals): void;
}

export class ServerStartError extends Error {
  override name = 'ServerStartError';
}

export interface LaunchOptions {
  readonly incarnation: number;
  readonly dir: string;
  readonly history: History;
  /** How often to sample CPU and memory into the history; 0 turns sampling off. */
  readonly sampleIntervalMs?: number;
  /** The run folder, recorded so an orphan can be traced back to its run. */
  readonly runDir?: string;
}

export async function launchServer(plan: LaunchPlan, options: LaunchOptions): Promise<ServerProcess> {
  await fs.ensureDir(options.dir);
  const stdoutPath = join(options.dir, 'stdout.log');
  const stderrPath = join(options.dir, 'stderr.log');
  const what = `${plan.command} (incarnation ${options.incarnation})`;
  // Spawning at the limit fails inside execa in ways it does not report (a TypeError, or an
  // unhandled 'error' event), and a server that does start inherits the limit and fails for it.
  const shortage = openFileShortage();
  if (shortage) throw new ToolResourceError(`cannot start ${what}: ${shortage}`);
  let subprocess: ReturnType<typeof spawnServer>;
  try {
    subprocess = spawnServer(plan, stdoutPath, stderrPath);
  } catch (error) {
    const problem = resourceProblem(error) ?? openFileShortage();
    if (problem) throw new ToolResourceError(`cannot start ${what}: ${problem}`, { cause: error });
    throw new ServerStartError(`could not start ${what}: ${(error as Error).message}`, { cause: error });
  }
  const pid = subprocess.pid;
  if (pid === undefined) {
    const result = await subprocess;
    throw new ServerStartError(`could not start ${plan.command}: ${result.message ?? 'no pid'}`);
  }
  registerGroup(pid);
  // The registry entry comes first: it is what lets the next run stop this server if the tool dies.
  // Whatever fails before the server is handed over stops it here.
  try {
    await recordServer({ pgid: pid, command: plan.command, runDir: options.runDir ?? options.dir });
    await fs.writeFile(join(options.dir, 'server.pid'), `${pid}\n`);
  } catch (error) {
    signalGroup(pid, 'SIGKILL');
    await subprocess.catch(() => undefined);
    unregisterGroup(pid);
    await forgetServer(pid).catch(() => {});
    throw new ToolResourceError(`cannot record server ${pid} (${plan.command}): ${describeErrno(error as NodeJS.ErrnoException)}`, { cause: error });
  }

  let exitInfo: ServerExit | undefined;
  const exited = subprocess.then(
    (result) => {
      exitInfo = { exitCode: result.exitCode ?? null, signal: result.signal ?? null };
      return exitInfo;
    },
    (error: unknown) => {
      exitInfo = { exitCode: null, signal: String((error as Error).message ?? error) };
      return exitInfo;
    },
  );
  // The leader is gone; anything it left in its group must not outlive it.
  void exited.then(async () => {
    signalGroup(pid, 'SIGKILL');
    unregisterGroup(pid);
    await forgetServer(pid).catch(() => {});
  });

  options.history.record({
    type: 'server-start',
    incarnation: options.incarnation,
    pid,
    port: plan.port,
    command: [plan.command, ...plan.args].join(' '),
  });
  startSampling(pid, options, exited);

  return {
    incarnation: options.incarnation,
    pid,
    baseUrl: `http://${plan.host}:${plan.port}`,
    stdoutPath,
    stderrPath,
    exited,
    hasExited: () => exitInfo !== undefined,
    signal: (signal) => {
      if (exitInfo === undefined) signalGroup(pid, signal);
    },
  };
}

function spawnServer(plan: LaunchPlan, stdoutPath: string, stderrPath: string) {
  return execa(plan.command, [...plan.args], {
    env: plan.env,
    extendEnv: true,
    detached: true,
    cleanup: false,
    reject: false,
    stdin: 'ignore',
    stdout: { file: stdoutPath },
    stderr: { file: stderrPath },
  });
}

function startSampling(pid: number, options: LaunchOptions, exited: Promise<ServerExit>): void {
  const interval = options.sampleIntervalMs ?? 500;
  if (interval <= 0) return;
  let done = false;
  const sample = processSampler(pid);
  const timer = setInterval(() => {
    void sample().then((usage) => {
      if (usage && !done) {
        options.history.record({ type: 'resources', incarnation: options.incarnation, cpuPercent: Math.round(usage.cpuPercent * 10) / 10, memoryBytes: usage.memoryBytes });
      }
    });
  }, interval);
  timer.unref();
  void exited.then(() => {
    done = true;
    clearInterval(timer);
  });
}

/**
 * Stops a server: SIGTERM to its group, then SIGKILL if it has not exited within the grace period.
 * Resolves once the process has exited.
 */
export async function stopServer(server: ServerProcess, graceMs = 5_000): Promise<ServerExit> {
  if (!server.hasExited()) {
    server.signal('SIGTERM');
    const timer = setTimeout(() => server.signal('SIGKILL'), graceMs);
    try {
      return await server.exited;
    } finally {
      clearTimeout(timer);
    }
  }
  return server.exited;
}

/** Kills a server's group with SIGKILL and waits until the leader has exited. */
export async function killServer(server: ServerProcess): Promise<ServerExit> {
  server.signal('SIGKILL');
  return server.exited;
}

/** The last `maxLines` lines of a log file, for error messages and reports. */
/** The first lines of a log that look like an error (ANSI colours stripped): what a backtrace tail hides. */
export async function errorLines(path: string, maxLines = 3, maxBytes = 256 * 1024): Promise<string[]> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of createReadStream(path, { start: 0, end: maxBytes - 1 })) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      // eslint-disable-next-line no-control-regex -- strips ANSI colour codes (ESC is the point)
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split('\n')
      .filter((line) => /\b(error|fatal|panicked)\b/i.test(line))
      .slice(0, maxLines)
      .map((line) => line.trim().slice(0, 400));
  } catch {
    return [];
  }
}

export async function tailFile(path: string, maxLines = 20, maxBytes = 64 * 1024): Promise<string[]> {
  try {
    const { size } = await fs.stat(path);
    const start = Math.max(0, size - maxBytes);
    const chunks: Buffer[] = [];
    for await (const chunk of createReadStream(path, { start })) chunks.push(chunk as Buffer);
    const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter((line) => line.length > 0);
    return lines.slice(-maxLines);
  } catch {
    return [];
  }
}
