import type { CheckContext, FreshServer, SuiteCheck } from '../../types.js';
import { delay } from '../../../util/wait.js';
import { describeAnswer } from '../../answer.js';
import { FRESH_READY_MS } from './fresh-readiness.js';
import { tally } from '../tally.js';

const CLIENTS = 5;

/**
 * Seed: test_concurrent_queries_during_startup (5 concurrent `SELECT i as query_id`, all must
 * succeed). Black box: 5 clients start querying the moment the server process is spawned.
 */
export const concurrentQueriesWhileStarting: SuiteCheck = {
  id: 'startup/concurrent-queries-while-starting',
  category: 'startup',
  expectation: `${CLIENTS} clients querying a new server from the moment it is spawned get no connection or their own right answer, never an error, and all get it`,
  needs: ['fresh-server'],
  async run(ctx) {
    const server = await ctx.launchFresh!();
    const answers = tally('root (new server)');
    const deadline = Date.now() + FRESH_READY_MS;
    const login = loginOnce(server, ctx, deadline);
    const firstRightMs: number[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const statement = `SELECT ${client} AS query_id`;
        for (;;) {
          ctx.signal?.throwIfAborted();
          if (server.hasExited()) return ctx.problem(`client ${client}: the server exited ${Math.round(server.sinceSpawnMs())} ms after it was started`);
          if (Date.now() >= deadline) return ctx.problem(`client ${client}: no right answer within ${FRESH_READY_MS} ms of the start`);
          const loggedIn = await login.attempt();
          if (loggedIn === 'gave-up') return;
          if (loggedIn === 'not-yet') {
            await delay(20, ctx.signal);
            continue;
          }
          const answer = await server.sql(statement);
          answers.add(statement, answer);
          if (answer.kind === 'refused') {
            await delay(20, ctx.signal);
            continue;
          }
          if (answer.kind === 'success' && JSON.stringify(answer.rows) === JSON.stringify([[String(client)]])) {
            firstRightMs.push(Math.round(server.sinceSpawnMs()));
            return;
          }
          return ctx.problem(`client ${client} (${statement}) while the server was starting: ${describeAnswer(answer)}`);
        }
      }),
    );
    for (const entry of [...login.evidence(), ...answers.evidence()]) ctx.record(entry);
    if (firstRightMs.length > 0) ctx.figure('lastClientAnsweredMs', Math.max(...firstRightMs));
  },
};

/**
 * One login for every client (KalamDB's bcrypt makes a login cost seconds in a debug build);
 * while nothing listens, `not-yet'. A login the server answers with an error is a problem.
 */
function loginOnce(server: FreshServer, ctx: CheckContext, deadline: number) {
  type State = 'none' | 'pending' | 'done' | 'gave-up';
  let state: State = 'none';
  const current = (): State => state;
  let pending: Promise<void> | undefined;
  const attempts = tally('root (new server)');
  return {
    async attempt(): Promise<'done' | 'not-yet' | 'gave-up'> {
      if (state === 'done' || state === 'gave-up') return state;
      if (state === 'none') {
        state = 'pending';
        pending = (async () => {
          const started = performance.now();
          try {
            await server.login();
            attempts.add('POST /v1/api/auth/login', { kind: 'success', ms: Math.round(performance.now() - started) });
            state = 'done';
          } catch (error) {
            const reason = (error as Error).message;
            const refused = /ECONNREFUSED/.test(reason);
            attempts.add('POST /v1/api/auth/login', { kind: refused ? 'refused' : 'error', reason, message: reason, ms: Math.round(performance.now() - started) });
            if (refused && Date.now() < deadline) state = 'none';
            else {
              state = 'gave-up';
              ctx.problem(`login while the server was starting: ${reason}`);
            }
          }
        })();
      }
      await pending;
      // Another client's attempt may have settled it meanwhile.
      const settled = current();
      return settled === 'done' || settled === 'gave-up' ? settled : 'not-yet';
    },
    evidence: () => attempts.evidence(),
  };
}
