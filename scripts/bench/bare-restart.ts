/**
 * The baseline a campaign's restart is measured against: start a server on a data directory, wait
 * until it answers SQL, `kill -9` its group, start it again on the same directory, and time the
 * kill to the first answered `SELECT 1` (a fresh client each incarnation, so one login each, as a
 * campaign does). Nothing else: no registry, no snapshot, no port check, no checks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createSqlClient } from '../../src/client/sql-client.js';
import { findFreePort } from '../../src/target/ports.js';
import type { Target } from '../../src/target/types.js';
import { delay } from '../../src/util/wait.js';

const POLL_MS = 5;

export interface BareRestart {
  /** ms from the SIGKILL to the restarted server's first answered SELECT 1. */
  readonly ready: number;
  /** ms from the SIGKILL to the restart's spawn (the old server's exit). */
  readonly spawn: number;
}

/** One bare restart of `target` on its data directory. */
export async function bareRestart(target: Target, dir: string, readyTimeoutMs: number): Promise<BareRestart> {
  const port = await findFreePort();
  const plan = await target.plan({ index: 0, dir: join(dir, 'bare'), port });
  const baseUrl = `http://${plan.host}:${plan.port}`;
  const start = () => spawn(plan.command, [...plan.args], { env: { ...process.env, ...plan.env }, detached: true, stdio: 'ignore' });
  let server: ChildProcess | undefined = start();
  try {
    await untilSqlAnswers(target, baseUrl, server, readyTimeoutMs);
    const killedAt = performance.now();
    await killGroup(server);
    const spawn = performance.now() - killedAt;
    server = start();
    await untilSqlAnswers(target, baseUrl, server, readyTimeoutMs);
    return { ready: performance.now() - killedAt, spawn };
  } finally {
    if (server) await killGroup(server);
  }
}

async function untilSqlAnswers(target: Target, baseUrl: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const client = createSqlClient({ baseUrl, auth: target.auth, credentials: target.credentials, serverLabel: `bare ${baseUrl}` });
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  try {
    for (;;) {
      if (server.exitCode !== null || server.signalCode !== null) throw new Error(`bare server ${baseUrl} exited before it answered SQL (code ${server.exitCode}, signal ${server.signalCode})`);
      try {
        const outcome = await client.execute('SELECT 1');
        if (outcome.kind === 'success') return;
        last = outcome.kind === 'error' ? `${outcome.code}: ${outcome.message}` : outcome.reason;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() >= deadline) throw new Error(`bare server ${baseUrl} did not answer SELECT 1 within ${timeoutMs} ms: ${last}`);
      await delay(POLL_MS);
    }
  } finally {
    await client.close();
  }
}

async function killGroup(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  try {
    process.kill(-server.pid!, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
  await exited;
}
