import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import fs from 'fs-extra';
import type { RunResult } from '../../src/report/result.js';
import { packageRoot } from '../../src/util/package-root.js';
import { waitFor } from '../../src/util/wait.js';

export const CLI = join(packageRoot(), 'bin', 'kalam-chaos.js');

/** Runs the built CLI as a user would, bounded in time. */
export function runCli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}) {
  return execa(process.execPath, [CLI, ...args], {
    reject: false,
    timeout: options.timeoutMs ?? 120_000,
    env: options.env ?? {},
    cwd: packageRoot(),
  });
}

export function startCli(args: string[], env: Record<string, string> = {}): ResultPromise {
  return execa(process.execPath, [CLI, ...args], { reject: false, timeout: 120_000, env, cwd: packageRoot() });
}

/** The single run folder a CLI run created under `outDir`. */
export async function onlyRunFolder(outDir: string): Promise<string> {
  const entries = (await fs.readdir(outDir)).filter((name) => !name.startsWith('.'));
  if (entries.length !== 1) throw new Error(`expected one run folder in ${outDir}, found ${entries.join(', ') || 'none'}`);
  return join(outDir, entries[0]!);
}

export async function readResult(runDir: string): Promise<RunResult> {
  return fs.readJson(join(runDir, 'result.json')) as Promise<RunResult>;
}

export async function readHistory(runDir: string): Promise<Record<string, unknown>[]> {
  const text = await fs.readFile(join(runDir, 'history.ndjson'), 'utf8');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Waits until a CLI run writing under `outDir` has its run folder and a server acknowledging writes. */
export async function waitForAcknowledgingServer(outDir: string): Promise<{ runDir: string; serverPid: number }> {
  const runDir = await waitFor(async () => ((await fs.pathExists(outDir)) ? onlyRunFolder(outDir).catch(() => undefined) : undefined), { what: 'run folder', timeoutMs: 20_000 });
  const serverPid = await waitFor(
    async () => {
      const events = await readHistory(runDir).catch(() => []);
      const start = events.find((event) => event.event === 'server-start');
      return start && events.some((event) => event.event === 'response' && event.outcome === 'acknowledged') ? (start.pid as number) : undefined;
    },
    { what: 'a server acknowledging writes', timeoutMs: 30_000, intervalMs: 100 },
  );
  return { runDir, serverPid };
}
