import type { SqlClient } from '../client/sql-client.js';
import { DeadlineExceeded, delay } from '../util/wait.js';
import { openFileShortage } from '../util/open-files.js';
import { resourceProblem, ToolResourceError } from '../util/tool-errors.js';
import { errorLines, ServerStartError, tailFile, type ServerProcess } from './supervisor.js';

export interface Readiness {
  readonly readyMs: number;
  readonly version?: string;
}

/** Between probes. A refused connect or a /health answer costs well under a millisecond. */
export const READINESS_POLL_MS = 10;

/**
 * Waits until the server answers /health with 200 and then runs `SELECT 1` successfully
 * (INTERFACE.md: "Readiness"). /health is polled alone, without a login: kalamdb-server (and the
 * reference server) accept no connection before they can serve SQL, and a login costs the server
 * a password hash (1.4 s in kalamdb-server's debug build). Once /health answers, the client logs in
 * once and keeps its token; a SELECT 1 that fails is retried, not the login. Fails at once, with the
 * end of its stderr, if the process exits.
 */
export async function waitUntilReady(server: ServerProcess, client: SqlClient, timeoutMs: number): Promise<Readiness> {
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  let version: string | undefined;
  let healthy = false;
  for (;;) {
    if (server.hasExited()) throw await exitedBeforeReady(server);
    const problem = healthy ? await sqlProblem() : await healthProblem();
    if (problem === undefined) {
      if (healthy) return { readyMs: Math.round(performance.now() - started), ...(version ? { version } : {}) };
      healthy = true;
      continue;
    }
    // The tool out of file descriptors will not reach any server: say so now, not at the deadline.
    if (resourceProblem(new Error(problem))) throw new ToolResourceError(`cannot reach server (incarnation ${server.incarnation}, ${server.baseUrl}): ${problem}`);
    lastProblem = problem;
    if (Date.now() >= deadline) {
      const error = new ServerStartError(
        `server (incarnation ${server.incarnation}, pid ${server.pid}, ${server.baseUrl}) was not ready ` +
          `within ${timeoutMs} ms: ${lastProblem} (logs: ${server.stdoutPath})`,
      );
      error.cause = new DeadlineExceeded('readiness', timeoutMs);
      throw error;
    }
    await Promise.race([delay(READINESS_POLL_MS), server.exited]);
  }

  async function healthProblem(): Promise<string | undefined> {
    try {
      const health = await client.health();
      if (health.status !== 200) return `/health answered HTTP ${health.status}`;
      const body = health.body as { version?: unknown };
      if (typeof body?.version === 'string') version = body.version;
      return undefined;
    } catch (error) {
      return `/health: ${(error as Error).message}`;
    }
  }

  /** The client logs in on its first statement (and again only if that login failed or a token is refused). */
  async function sqlProblem(): Promise<string | undefined> {
    try {
      const outcome = await client.execute('SELECT 1');
      if (outcome.kind === 'success') return undefined;
      return outcome.kind === 'error' ? `SELECT 1: ${outcome.code}: ${outcome.message}` : `SELECT 1: ${outcome.reason}`;
    } catch (error) {
      return (error as Error).message;
    }
  }
}

async function exitedBeforeReady(server: ServerProcess): Promise<Error> {
  const exit = await server.exited;
  const firstErrors = [...(await errorLines(server.stderrPath)), ...(await errorLines(server.stdoutPath))].slice(0, 3);
  const tail = [...firstErrors, ...(await tailFile(server.stderrPath, 5))].join(' | ');
  const exitedEarly =
    `server (incarnation ${server.incarnation}, pid ${server.pid}) exited before it was ready ` +
    `(code ${exit.exitCode}, signal ${exit.signal})` + (tail ? `: ${tail}` : '');
  // A server started at the tool's open-file limit fails for the tool's sake (Node even calls it ERR_MODULE_NOT_FOUND).
  const shortage = openFileShortage();
  if (shortage) return new ToolResourceError(`${shortage}: ${exitedEarly}`);
  return new ServerStartError(exitedEarly);
}
