import { randomBytes } from 'node:crypto';
import type { SqlClient } from '../client/sql-client.js';
import { resolveVersioned } from './versioned.js';
import { answerOf, cliAnswerOf, mismatchOf, redactStatement, unansweredOf } from './answer.js';
import type { Answer, CheckContext, CheckVerdict, CliRun, Evidence, FreshServer, KalamCli, SuiteCheck, SuiteUser } from './types.js';

/** What the checks run against: an existing root client (a campaign's, after a restart, say). */
export interface SuiteEnvironment {
  readonly client: SqlClient;
  /** The version /health named. */
  readonly version: string | undefined;
  /** Makes names unique to this run of the checks (lower-case letters and digits). */
  readonly nonce: string;
  readonly signal?: AbortSignal;
  /** A client that logs in as another user. */
  readonly connectAs: (user: string, password: string) => SqlClient;
  /** Starts a server of the same target on a fresh data directory (absent: checks that need one are skipped). */
  readonly launchFresh?: () => Promise<FreshServer & { stop(): Promise<void> }>;
  /** The kalam CLI logged in as root (absent: checks that need it are skipped, with `cliUnavailable` as the reason). */
  readonly cli?: KalamCli;
  readonly cliUnavailable?: string;
  /** Each check's deadline (default 120 s). */
  readonly checkTimeoutMs?: number;
  readonly onVerdict?: (verdict: CheckVerdict) => void;
}

const DEFAULT_CHECK_TIMEOUT_MS = 120_000;

/** The server's answers made the rest of a check meaningless: a failure of the check, not of the tool. */
export class CheckAbandoned extends Error {
  override name = 'CheckAbandoned';
}

async function timed(send: () => Promise<Parameters<typeof answerOf>[0]>): Promise<Answer> {
  const started = performance.now();
  try {
    return answerOf(await send(), performance.now() - started);
  } catch (error) {
    return unansweredOf(error, performance.now() - started);
  }
}

export async function sendTo(client: SqlClient, statement: string, asUser?: string): Promise<Answer> {
  return timed(() => client.execute(statement, asUser !== undefined ? { asUser } : undefined));
}

export async function healthOf(client: SqlClient): Promise<Answer> {
  const started = performance.now();
  try {
    const { status, body } = await client.health();
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return status === 200 ? { kind: 'success', httpStatus: status, message: text, ms } : { kind: 'error', httpStatus: status, code: `HTTP_${status}`, message: text, ms };
  } catch (error) {
    return unansweredOf(error, performance.now() - started);
  }
}

interface UserFixture {
  readonly user: SuiteUser;
  readonly client: SqlClient;
}

/**
 * Runs the checks one after another against `env` and returns a verdict each. Never throws for
 * the server's answers; an interrupt (env.signal) stops it with the signal's reason.
 */
export async function runChecks(checks: readonly SuiteCheck[], env: SuiteEnvironment): Promise<CheckVerdict[]> {
  const verdicts: CheckVerdict[] = [];
  const users = new Map<string, Promise<UserFixture>>();
  try {
    for (const check of checks) {
      env.signal?.throwIfAborted();
      const verdict = await runOne(check, env, users);
      verdicts.push(verdict);
      env.onVerdict?.(verdict);
    }
  } finally {
    for (const [, fixture] of users) {
      const made = await fixture.catch(() => undefined);
      if (!made) continue;
      await env.client.execute(`DROP USER IF EXISTS ${made.user.id}`).catch(() => undefined);
      await made.client.close().catch(() => undefined);
    }
  }
  return verdicts;
}

async function runOne(check: SuiteCheck, env: SuiteEnvironment, users: Map<string, Promise<UserFixture>>): Promise<CheckVerdict> {
  const started = performance.now();
  const base = { id: check.id, category: check.category, expectation: check.expectation };
  if (check.needs?.includes('fresh-server') && !env.launchFresh) {
    return { ...base, outcome: 'skipped', problems: [], reason: 'needs a server of its own, which this runner cannot start', evidence: [], durationMs: 0 };
  }
  if (check.needs?.includes('cli') && !env.cli) {
    return { ...base, outcome: 'skipped', problems: [], reason: env.cliUnavailable ?? 'needs the kalam CLI: pass --cli-bin PATH', evidence: [], durationMs: 0 };
  }
  const evidence: Evidence[] = [];
  const problems: string[] = [];
  const figures: Record<string, number> = {};
  const expectedFor = new Set<string>();
  const differences = new Set<string>();
  const resolve = <T>(value: Parameters<typeof resolveVersioned<T>>[0]): T => {
    const resolved = resolveVersioned(value, env.version);
    if (resolved.key) expectedFor.add(resolved.key);
    if (resolved.why) differences.add(resolved.why);
    return resolved.value;
  };
  const cleanups: string[] = [];
  const launched: { stop(): Promise<void> }[] = [];
  const deadline = new AbortController();
  const timeoutMs = env.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const timer = setTimeout(() => deadline.abort(new Error(`${check.id} did not finish within ${timeoutMs} ms`)), timeoutMs);
  const signal = env.signal ? AbortSignal.any([env.signal, deadline.signal]) : deadline.signal;

  const record = (entry: Evidence) => evidence.push(entry);
  const sql = async (statement: string, asUser?: string): Promise<Answer> => {
    signal.throwIfAborted();
    const answer = await sendTo(env.client, statement, asUser);
    record({ statement: redactStatement(asUser !== undefined ? `EXECUTE AS USER '${asUser}' (${statement})` : statement), session: 'root', answer });
    return answer;
  };
  const userFixture = (label: string): Promise<UserFixture> => {
    let fixture = users.get(label);
    if (!fixture) {
      fixture = createUser(label, env, sql);
      users.set(label, fixture);
    }
    return fixture;
  };

  const ctx: CheckContext = {
    version: env.version,
    signal,
    name: (name) => `kcs_${name}_${env.nonce}`,
    sql: (statement, options) => sql(statement, options?.asUser),
    sqlUnrecorded: (statement) => sendTo(env.client, statement),
    record,
    health: async () => {
      const answer = await healthOf(env.client);
      record({ statement: 'GET /health', session: 'anonymous', answer });
      return answer;
    },
    expect: (answer, expectation, what) => {
      const mismatch = mismatchOf(answer, resolve(expectation));
      if (mismatch) problems.push(`${what}: ${mismatch}`);
      return mismatch === undefined;
    },
    pick: (value) => resolve(value),
    require: (answer, expectation, what) => {
      if (!ctx.expect(answer, expectation, what)) throw new CheckAbandoned(`${what} did not go as required, so the check stopped there`);
    },
    problem: (text) => problems.push(text),
    figure: (name, value) => {
      figures[name] = value;
    },
    user: async (label) => {
      const fixture = await userFixture(label);
      return {
        id: fixture.user.id,
        sql: async (statement) => {
          const answer = await fixture.user.sql(statement);
          record({ statement: redactStatement(statement), session: fixture.user.id, answer });
          return answer;
        },
      };
    },
    ...(env.launchFresh
      ? {
          launchFresh: async () => {
            const fresh = await env.launchFresh!();
            launched.push(fresh);
            return fresh;
          },
        }
      : {}),
    ...(env.cli ? { cli: recordedCli(env.cli, record, signal) } : {}),
    cleanup: (statement) => {
      cleanups.push(statement);
    },
  };

  let reason: string | undefined;
  let threw = false;
  try {
    await check.run(ctx);
  } catch (error) {
    if (env.signal?.aborted) throw error;
    if (error instanceof CheckAbandoned) problems.push(error.message);
    else {
      threw = true;
      reason = error instanceof Error ? error.message : String(error);
    }
  } finally {
    clearTimeout(timer);
    for (const statement of cleanups.reverse()) {
      const answer = await sendTo(env.client, statement);
      record({ statement: redactStatement(statement), session: 'root', answer, cleanup: true });
    }
    for (const server of launched) await server.stop().catch(() => undefined);
  }
  const outcome = threw ? 'error' : problems.length > 0 ? 'fail' : 'pass';
  return {
    ...base,
    outcome,
    ...(expectedFor.size > 0 ? { expectedFor: [...expectedFor].sort() } : {}),
    ...(differences.size > 0 ? { differences: [...differences] } : {}),
    problems,
    ...(reason !== undefined ? { reason } : {}),
    evidence,
    ...(Object.keys(figures).length > 0 ? { figures } : {}),
    durationMs: Math.round(performance.now() - started),
  };
}

/** The CLI with every run recorded as evidence (session `kalam`). */
function recordedCli(cli: KalamCli, record: (entry: Evidence) => void, signal: AbortSignal): KalamCli {
  const recorded = async (run: Promise<CliRun>): Promise<CliRun> => {
    const done = await run;
    record({ statement: done.command, session: 'kalam', answer: cliAnswerOf(done) });
    return done;
  };
  return {
    run: (args, options) => {
      signal.throwIfAborted();
      return recorded(cli.run(args, options));
    },
    interactive: (steps) => {
      signal.throwIfAborted();
      return recorded(cli.interactive(steps));
    },
    writeFile: (name, content) => cli.writeFile(name, content),
  };
}

/** CREATE USER with a random password (never recorded), then a client that logs in as it. */
async function createUser(label: string, env: SuiteEnvironment, sql: (statement: string) => Promise<Answer>): Promise<UserFixture> {
  const id = `kcs_${label}_${env.nonce}`;
  const password = randomBytes(12).toString('base64url');
  const answer = await sql(`CREATE USER ${id} WITH PASSWORD '${password}' ROLE user`);
  if (answer.kind !== 'success') throw new CheckAbandoned(`the suite's user ${id} could not be created: ${answer.message ?? answer.reason ?? answer.kind}`);
  const client = env.connectAs(id, password);
  return { client, user: { id, sql: (statement) => sendTo(client, statement) } };
}
