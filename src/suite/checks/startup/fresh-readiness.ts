import type { CheckContext, FreshServer } from '../../types.js';
import { delay } from '../../../util/wait.js';

/** How long a new server may take to be ready (a debug build of KalamDB takes 2-6 s on a busy machine). */
export const FRESH_READY_MS = 60_000;

/**
 * Polls a new server until /health is 200 and SELECT 1 succeeds (the harness's readiness), within
 * FRESH_READY_MS; records the answers that ended the wait. False, with a problem noted, otherwise.
 */
export async function waitForReadiness(ctx: CheckContext, server: FreshServer): Promise<boolean> {
  const deadline = Date.now() + FRESH_READY_MS;
  for (;;) {
    ctx.signal?.throwIfAborted();
    if (server.hasExited()) {
      ctx.problem(`the new server exited ${Math.round(server.sinceSpawnMs())} ms after it was started, before it was ready`);
      return false;
    }
    const health = await server.health();
    if (health.kind === 'success') {
      ctx.record({ statement: 'GET /health', session: 'anonymous (new server)', answer: health });
      try {
        await server.login();
      } catch (error) {
        ctx.problem(`login on the new server failed once /health was 200: ${(error as Error).message}`);
        return false;
      }
      const select = await server.sql('SELECT 1');
      ctx.record({ statement: 'SELECT 1', session: 'root (new server)', answer: select });
      return ctx.expect(select, { outcome: 'success' }, 'SELECT 1 once /health was 200');
    }
    if (health.kind === 'error') {
      ctx.record({ statement: 'GET /health', session: 'anonymous (new server)', answer: health });
    }
    if (Date.now() >= deadline) {
      ctx.problem(`the new server was not ready within ${FRESH_READY_MS} ms (last /health: ${health.kind}${health.reason ? `, ${health.reason}` : ''})`);
      return false;
    }
    // Pacing between polls; the loop ends on the server's answer, the process's exit or the deadline.
    await delay(50, ctx.signal);
  }
}
