import { Pool, errors as undiciErrors } from 'undici';
import type { AuthMode, Credentials } from '../target/types.js';
import { dispatchText } from './dispatch-text.js';
import { isRecord, isSqlError, isSqlSuccess, type StatementResult } from './responses.js';

/**
 * What became of one SQL request. `indeterminate` is the honest answer when the connection broke
 * after the request may have reached the server: the write may or may not be durable.
 * `refused` means the connection was never made, so the server cannot have seen the request.
 */
export type SqlOutcome =
  | { kind: 'success'; results: StatementResult[]; tookMs: number }
  | { kind: 'error'; httpStatus: number; code: string; message: string }
  | { kind: 'indeterminate'; reason: string }
  | { kind: 'refused'; reason: string };

export interface SqlClientOptions {
  readonly baseUrl: string;
  readonly auth: AuthMode;
  readonly credentials: Credentials;
  readonly connections?: number;
  readonly requestTimeoutMs?: number;
  /** Describes the server in error messages (e.g. "incarnation 2 on 127.0.0.1:4312"). */
  readonly serverLabel?: string;
}

export interface SqlClient {
  readonly baseUrl: string;
  login(): Promise<void>;
  /** Never throws for server or network failures: the outcome says what happened. */
  execute(sql: string, options?: { asUser?: string }): Promise<SqlOutcome>;
  /** For reads whose failure is an error of the step (checks, setup): throws with context. */
  query(sql: string, options?: { asUser?: string }): Promise<StatementResult>;
  health(): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export class SqlQueryError extends Error {
  override name = 'SqlQueryError';
  constructor(
    message: string,
    readonly outcome: SqlOutcome,
  ) {
    super(message);
  }
}

export function executeAsUser(user: string, statement: string): string {
  return `EXECUTE AS USER '${user.replaceAll("'", "''")}' (${statement})`;
}

export function createSqlClient(options: SqlClientOptions): SqlClient {
  const timeout = options.requestTimeoutMs ?? 10_000;
  const pool = new Pool(options.baseUrl, {
    connections: options.connections ?? 8,
    keepAliveTimeout: 30_000,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connectTimeout: Math.min(timeout, 5_000),
  });
  const label = options.serverLabel ?? options.baseUrl;
  let bearer: string | undefined;

  const basicHeader = () =>
    'Basic ' + Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64');

  async function post(path: string, body: unknown, authorization?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization) headers.authorization = authorization;
    const { status, text } = await dispatchText(pool, { method: 'POST', path, headers, body: JSON.stringify(body) });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status, body: parsed, text };
  }

  async function login(): Promise<void> {
    if (options.auth === 'basic') return;
    const { status, body } = await post('/v1/api/auth/login', {
      user: options.credentials.user,
      password: options.credentials.password,
    });
    if (status !== 200 || !isRecord(body) || typeof body.access_token !== 'string') {
      const reason = isSqlError(body) ? `${body.error.code}: ${body.error.message}` : `HTTP ${status}`;
      throw new Error(`login as ${options.credentials.user} failed on ${label}: ${reason}`);
    }
    bearer = body.access_token;
  }

  async function sendSql(sql: string): Promise<SqlOutcome> {
    if (options.auth === 'bearer' && !bearer) await login();
    const authorization = options.auth === 'basic' ? basicHeader() : `Bearer ${bearer}`;
    let response;
    try {
      response = await post('/v1/api/sql', { sql }, authorization);
    } catch (error) {
      return classifyNetworkError(error);
    }
    const { status, body, text } = response;
    if (status === 200 && isSqlSuccess(body)) return { kind: 'success', results: body.results, tookMs: body.took };
    if (isSqlError(body)) return { kind: 'error', httpStatus: status, code: body.error.code, message: body.error.message };
    if (status === 401) return { kind: 'error', httpStatus: status, code: 'UNAUTHORIZED', message: text.slice(0, 200) };
    return { kind: 'indeterminate', reason: `unexpected HTTP ${status} answer: ${text.slice(0, 200)}` };
  }

  async function execute(sql: string, executeOptions?: { asUser?: string }): Promise<SqlOutcome> {
    const statement = executeOptions?.asUser ? executeAsUser(executeOptions.asUser, sql) : sql;
    const outcome = await sendSql(statement);
    // A 401 means the statement was rejected before it ran (e.g. a token from before a restart),
    // so one retry after a fresh login cannot apply it twice.
    if (outcome.kind === 'error' && outcome.httpStatus === 401 && options.auth === 'bearer') {
      bearer = undefined;
      try {
        await login();
      } catch (error) {
        return { kind: 'error', httpStatus: 401, code: 'UNAUTHORIZED', message: String((error as Error).message) };
      }
      return sendSql(statement);
    }
    return outcome;
  }

  async function query(sql: string, queryOptions?: { asUser?: string }): Promise<StatementResult> {
    const outcome = await execute(sql, queryOptions);
    if (outcome.kind === 'success') {
      const last = outcome.results[outcome.results.length - 1];
      if (!last) throw new SqlQueryError(`no result for "${sql}" on ${label}`, outcome);
      return last;
    }
    const reason =
      outcome.kind === 'error' ? `${outcome.code}: ${outcome.message}` : `${outcome.kind}: ${outcome.reason}`;
    throw new SqlQueryError(`"${truncate(sql)}" failed on ${label}: ${reason}`, outcome);
  }

  async function health(): Promise<{ status: number; body: unknown }> {
    const { status, text } = await dispatchText(pool, { method: 'GET', path: '/health', headersTimeout: 2_000, bodyTimeout: 2_000 });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status, body };
  }

  return {
    baseUrl: options.baseUrl,
    login,
    execute,
    query,
    health,
    close: async () => {
      await pool.destroy();
    },
  };
}

function classifyNetworkError(error: unknown): SqlOutcome {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED') return { kind: 'refused', reason: message };
  if (error instanceof undiciErrors.ConnectTimeoutError) return { kind: 'refused', reason: message };
  return { kind: 'indeterminate', reason: code ? `${code}: ${message}` : message };
}

function truncate(sql: string, max = 120): string {
  return sql.length > max ? sql.slice(0, max) + '…' : sql;
}
