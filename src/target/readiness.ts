import type { SqlClient } from '../client/sql-client.js';
import { DeadlineExceeded, delay } from '../util/wait.js';
import { openFileShortage } from '../util/open-files.js';
import { resourceProblem, ToolResourceError } from '../util/tool-errors.js';
import { errorLines, ServerStartError, tailFile, type ServerProcess } from './supervisor.js';

export interface Readiness {
  readonly readyMs: number;
  readonly version?: string;
}

/**
 * Waits until the server answers /health with 200 and then runs `SELECT 1` successfully
 * (INTERFACE.md: "Readiness"). Fails at once, with the end of its stderr, if the process exits.
 */
export async function waitUntilReady(server: ServerProcess, client: SqlClient, timeoutMs: number): Promise<Readiness> {
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  let version: string | undefined;
  for (;;) {
    if (server.hasExited()) {
      const exit = await server.exited;
      const firstErrors = [...(await errorLines(server.stderrPath)), ...(await errorLines(server.stdoutPath))].slice(0, 3);
      const tail = [...firstErrors, ...(await tailFile(server.stderrPath, 5))].join(' | ');
      const exitedEarly =
        `server (incarnation ${server.incarnation}, pid ${server.pid}) exited before it was ready ` +
        `(code ${exit.exitCode}, signal ${exit.signal})` + (tail ? `: ${tail}` : '');
      // A server started at the tool's open-file limit fails for the tool's sake (Node even calls it ERR_MODULE_NOT_FOUND).
      const shortage = openFileShortage();
      if (shortage) throw new ToolResourceError(`${shortage}: ${exitedEarly}`);
      throw new ServerStartError(exitedEarly);
    }
    const problem = await probe();
    if (problem === undefined) return { readyMs: Math.round(performance.now() - started), ...(version ? { version } : {}) };
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
    await Promise.race([delay(100), server.exited]);
  }

  async function probe(): Promise<string | undefined> {
    try {
      const health = await client.health();
      if (health.status !== 200) return `/health answered HTTP ${health.status}`;
      const body = health.body as { version?: unknown };
      if (typeof body?.version === 'string') version = body.version;
    } catch (error) {
      return `/health: ${(error as Error).message}`;
    }
    try {
      await client.login();
      const outcome = await client.execute('SELECT 1');
      if (outcome.kind === 'success') return undefined;
      return outcome.kind === 'error' ? `SELECT 1: ${outcome.code}: ${outcome.message}` : `SELECT 1: ${outcome.reason}`;
    } catch (error) {
      return (error as Error).message;
    }
  }
}
