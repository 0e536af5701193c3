import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Auth } from './auth.js';
import { httpStatusFor, SqlError, type SqlErrorCode } from './errors.js';
import type { Executor, StatementResult } from './executor.js';
import { parseBatch, SqlSyntaxError } from './sql/parser.js';
import type { Value } from './sql/ast.js';

export const SERVER_VERSION = '0.4.3-reference';
const BUILD_DATE = '2026-11-25 00:00:00 UTC';
/** kalamdb-server's CORS layer adds it to every answer, a 404 included. */
const VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface HttpApiOptions {
  readonly auth: Auth;
  readonly executor: Executor;
  readonly log: Logger;
  /** What the health endpoint reports (the release whose on-disk format the server writes). */
  readonly version?: string;
}

export interface HttpApi {
  readonly server: Server;
  /** Requests being handled right now; shutdown waits for them. */
  inFlight(): number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** KalamDB's HTTP surface (INTERFACE.md): health, auth and `POST /v1/api/sql`. */
export function createHttpApi(options: HttpApiOptions): HttpApi {
  let inFlight = 0;
  const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
    inFlight++;
    response.on('close', () => inFlight--);
    route(request, response).catch((error: unknown) => {
      options.log.error({ err: error, url: request.url }, 'request handler failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'INTERNAL_ERROR', message: 'internal error' });
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    const method = request.method ?? 'GET';
    if (method === 'GET' && (path === '/health' || path === '/v1/api/healthcheck')) {
      if (!isLoopback(request)) return sendJson(response, 403, { error: 'FORBIDDEN', message: 'health is answered on loopback only' });
      // kalamdb-server's key order (serde's, alphabetical).
      return sendJson(response, 200, { api_version: 'v1', build_date: BUILD_DATE, status: 'healthy', version: options.version ?? SERVER_VERSION });
    }
    if (method === 'GET' && path === '/v1/api/auth/status') {
      return sendJson(response, 200, { needs_setup: options.auth.needsSetup() });
    }
    if (method === 'POST' && path === '/v1/api/auth/setup') return setup(request, response);
    if (method === 'POST' && path === '/v1/api/auth/login') return login(request, response);
    if (method === 'POST' && path === '/v1/api/sql') return sql(request, response);
    // kalamdb-server answers an unknown route or method (HEAD /health, /health/) with an empty 404.
    response.writeHead(404, { 'content-length': 0, vary: VARY });
    response.end();
  }

  async function setup(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isLoopback(request)) return sendJson(response, 403, { error: 'FORBIDDEN', message: 'setup is allowed on loopback only' });
    const body = await readJsonBody(request).catch((error: HttpError) => error);
    if (body instanceof HttpError) return sendJson(response, body.status, { error: 'BAD_REQUEST', message: body.message });
    const password = stringField(body, 'root_password');
    if (!password) return sendJson(response, 400, { error: 'BAD_REQUEST', message: 'root_password is required' });
    if (!options.auth.setup(password)) return sendJson(response, 409, { error: 'ALREADY_SET_UP', message: 'root password is already set' });
    options.log.info('root password set up');
    return sendJson(response, 200, { message: 'setup complete' });
  }

  async function login(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readJsonBody(request).catch((error: HttpError) => error);
    if (body instanceof HttpError) return sendJson(response, body.status, { error: 'BAD_REQUEST', message: body.message });
    const user = stringField(body, 'user') ?? stringField(body, 'username');
    const password = stringField(body, 'password');
    const tokens = user && password ? await options.auth.login(user, password) : undefined;
    if (!tokens) {
      options.log.warn({ user }, 'login refused');
      return sendJson(response, 401, { error: 'UNAUTHORIZED', message: 'invalid user or password' });
    }
    return sendJson(response, 200, tokens);
  }

  async function sql(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const took = () => Math.round((performance.now() - started) * 1000) / 1000;
    const fail = (code: SqlErrorCode, message: string, details: string | null = null) =>
      sendJson(response, httpStatusFor(code), { status: 'error', results: [], took: took(), error: { code, message, details } });

    const user = await options.auth.authenticate(request.headers.authorization);
    if (!user) return fail('UNAUTHORIZED', request.headers.authorization ? 'invalid or expired credentials' : 'missing Authorization header');
    const body = await readJsonBody(request).catch((error: HttpError) => error);
    if (body instanceof HttpError) return fail('INVALID_SQL', body.message);
    const text = stringField(body, 'sql');
    if (text === undefined) return fail('INVALID_SQL', 'request body needs a "sql" string');
    const params = (body as { params?: unknown }).params;
    if (params !== undefined && !(Array.isArray(params) && params.every(isValue))) return fail('INVALID_SQL', '"params" must be an array of values');
    const namespace = stringField(body, 'namespace_id') ?? 'default';

    let statements;
    try {
      statements = parseBatch(text, params ?? []);
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      return fail(text.includes(';') ? 'BATCH_PARSE_ERROR' : 'INVALID_SQL', error.message);
    }
    if (statements.length === 0) return fail('EMPTY_SQL', 'no SQL statement given');
    if (params && params.length > 0 && statements.length > 1) return fail('BATCH_PARSE_ERROR', 'params are not allowed with a batch of statements');

    const statementTexts = splitStatementTexts(text);
    const results: StatementResult[] = [];
    for (const [index, statement] of statements.entries()) {
      try {
        results.push(await options.executor.execute(statement, { user, namespace }));
      } catch (error) {
        if (error instanceof SqlError) {
          // kalamdb-server 0.4.3: "Statement N failed: ..." with the statement in details.
          return fail(error.code, `Statement ${index + 1} failed: ${error.message}`, statementTexts[index] ?? null);
        }
        options.log.error({ err: error, statement: statement.kind }, 'statement failed');
        return fail('INTERNAL_ERROR', (error as Error).message);
      }
    }
    return sendJson(response, 200, { status: 'success', results, took: took() });
  }

  return { server, inFlight: () => inFlight };
}

function isLoopback(request: IncomingMessage): boolean {
  const address = request.socket.remoteAddress ?? '';
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), vary: VARY });
  response.end(text);
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

function stringField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function isValue(value: unknown): value is Value {
  return value === null || ['number', 'string', 'boolean'].includes(typeof value);
}

/** Each statement's text as the client wrote it (split on ';' outside quotes), for error details. */
function splitStatementTexts(sql: string): string[] {
  const texts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const char of sql) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === ';') {
      if (current.trim()) texts.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  if (current.trim()) texts.push(current.trim());
  return texts;
}
