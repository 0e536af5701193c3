import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { findFreePort } from '../../src/target/ports.js';
import { packageRoot } from '../../src/util/package-root.js';
import { waitFor, withDeadline } from '../../src/util/wait.js';

/**
 * Spawns the compiled reference server (dist/src/reference-server/main.js, built by `npm run build`)
 * for tests, and guarantees in afterEach that every process a test started is gone.
 */

export const ROOT_PASSWORD = 'reference-test-root-pw';
export const SERVER_MAIN = join(packageRoot(), 'dist', 'src', 'reference-server', 'main.js');

export interface ExitInfo {
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
}

export interface ServerProcess {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** pino NDJSON lines from stdout that parse as JSON. */
  logLines(): Record<string, unknown>[];
  kill(signal: NodeJS.Signals): void;
  /** Resolves (never rejects) once the process has exited and been reaped. */
  readonly exited: Promise<ExitInfo>;
  hasExited(): boolean;
  /** Waits for exit with a deadline. */
  waitExit(timeoutMs?: number): Promise<ExitInfo>;
}

export interface SqlResponse {
  readonly status: number;
  readonly body: ResponseBody;
}

/**
 * The parsed JSON body, as the fields the tests read from SQL, login and health answers; none is
 * guaranteed (a body that is not JSON at all is kept as its text).
 */
export interface ResponseBody {
  readonly status?: string;
  readonly took?: number;
  readonly results?: StatementResultBody[];
  readonly error?: { readonly code?: string; readonly message?: string; readonly details?: unknown };
  readonly access_token?: string;
  readonly refresh_token?: string;
  readonly user?: Record<string, unknown>;
  readonly version?: string;
  readonly build_date?: string;
  readonly api_version?: string;
}

export interface RunningServer extends ServerProcess {
  readonly port: number;
  readonly baseUrl: string;
  readonly dataDir: string | undefined;
  /** A bearer token for root (logs in on first use). */
  token(): Promise<string>;
  /**
   * POST /v1/api/sql. `authorization` undefined → bearer token of root; null → no header;
   * a string → that header verbatim.
   */
  sql(sql: string, options?: { authorization?: string | null; params?: unknown[] }): Promise<SqlResponse>;
  /** Like sql() but expects success and returns the last statement's result. */
  query(sql: string): Promise<StatementResultBody>;
  health(): Promise<SqlResponse>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<SqlResponse>;
}

export interface StatementResultBody {
  schema?: { name: string; data_type: string; index: number; flags?: string[] }[];
  rows?: unknown[][];
  row_count: number;
  message?: string;
  as_user?: string;
}

export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { KALAMDB_ROOT_PASSWORD: ROOT_PASSWORD, ...extra };
  if (process.env.PATH) env.PATH = process.env.PATH;
  return env;
}

export function spawnServerProcess(args: readonly string[], env: Record<string, string>, cwd?: string): ServerProcess {
  const subprocess: ResultPromise = execa(process.execPath, [SERVER_MAIN, ...args], {
    env,
    extendEnv: false,
    reject: false,
    buffer: false,
    stdin: 'ignore',
    ...(cwd ? { cwd } : {}),
  });
  let out = '';
  let err = '';
  subprocess.stdout?.setEncoding('utf8');
  subprocess.stderr?.setEncoding('utf8');
  subprocess.stdout?.on('data', (chunk: string) => (out += chunk));
  subprocess.stderr?.on('data', (chunk: string) => (err += chunk));
  let done = false;
  const exited: Promise<ExitInfo> = subprocess.then(
    (result) => {
      done = true;
      return { exitCode: result.exitCode, signal: result.signal };
    },
    (error: { exitCode?: number; signal?: string }) => {
      done = true;
      return { exitCode: error.exitCode, signal: error.signal };
    },
  );
  if (subprocess.pid === undefined) throw new Error('reference server did not spawn');
  const pid = subprocess.pid;
  return {
    pid,
    stdout: () => out,
    stderr: () => err,
    logLines: () =>
      out
        .split('\n')
        .filter((line) => line.trim() !== '')
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    kill: (signal) => {
      if (!done) subprocess.kill(signal);
    },
    exited,
    hasExited: () => done,
    waitExit: (timeoutMs = 15_000) => withDeadline(exited, `reference server pid ${pid} to exit`, timeoutMs),
  };
}

async function request(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<SqlResponse> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed as ResponseBody };
}

export function basicHeader(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

export interface StartOptions {
  readonly dataDir?: string;
  readonly port?: number;
  /** Extra flags after --data-dir/--port. */
  readonly extraArgs?: readonly string[];
  /** Replaces the whole argv (KalamDB mode); `port` must then be given for readiness. */
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
  /** Wait for /health (default true). */
  readonly waitReady?: boolean;
}

/** Registers afterEach cleanup; returns spawn helpers scoped to the current test. */
export function useReferenceServers(): {
  spawn(args: readonly string[], env?: Record<string, string>): ServerProcess;
  start(options: StartOptions): Promise<RunningServer>;
} {
  const live: ServerProcess[] = [];
  afterEach(async function () {
    const processes = live.splice(0);
    for (const server of processes) server.kill('SIGKILL');
    await Promise.all(processes.map((server) => server.waitExit(10_000)));
  });

  const spawn = (args: readonly string[], env: Record<string, string> = baseEnv()) => {
    const server = spawnServerProcess(args, env);
    live.push(server);
    return server;
  };

  async function start(options: StartOptions): Promise<RunningServer> {
    const port = options.port ?? (await findFreePort());
    const args = options.args ?? ['--data-dir', options.dataDir ?? '', '--port', String(port), ...(options.extraArgs ?? [])];
    const proc = spawn(args, options.env ?? baseEnv());
    const baseUrl = `http://127.0.0.1:${port}`;
    let bearer: string | undefined;
    const server: RunningServer = {
      ...proc,
      exited: proc.exited,
      port,
      baseUrl,
      dataDir: options.dataDir,
      async token() {
        if (bearer) return bearer;
        const response = await request(baseUrl, 'POST', '/v1/api/auth/login', { user: 'root', password: ROOT_PASSWORD });
        if (response.status !== 200 || typeof response.body?.access_token !== 'string') {
          throw new Error(`login failed: HTTP ${response.status} ${JSON.stringify(response.body)}`);
        }
        bearer = response.body.access_token;
        return bearer;
      },
      async sql(text, sqlOptions = {}) {
        const headers: Record<string, string> = {};
        if (sqlOptions.authorization === undefined) headers.authorization = `Bearer ${await server.token()}`;
        else if (sqlOptions.authorization !== null) headers.authorization = sqlOptions.authorization;
        return request(baseUrl, 'POST', '/v1/api/sql', { sql: text, ...(sqlOptions.params ? { params: sqlOptions.params } : {}) }, headers);
      },
      async query(text) {
        const response = await server.sql(text);
        if (response.status !== 200 || response.body?.status !== 'success') {
          throw new Error(`"${text.slice(0, 120)}" failed: HTTP ${response.status} ${JSON.stringify(response.body)}`);
        }
        const results = response.body.results as StatementResultBody[];
        const last = results[results.length - 1];
        if (!last) throw new Error(`no result for "${text}"`);
        return last;
      },
      health: () => request(baseUrl, 'GET', '/health'),
      post: (path, body, headers) => request(baseUrl, 'POST', path, body, headers),
    };
    if (options.waitReady ?? true) {
      await waitFor(
        async () => {
          if (proc.hasExited()) throw new Error(`server exited before it was ready: ${proc.stderr()}`);
          const health = await server.health();
          return health.status === 200 ? true : undefined;
        },
        { what: `reference server on port ${port} to answer /health`, timeoutMs: 15_000, intervalMs: 25 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}; stderr: ${proc.stderr()} ${(error.cause as Error | undefined)?.message ?? ''}`);
      });
    }
    return server;
  }

  return { spawn, start };
}

/** Ids present in a SELECT id result. */
export function idsOf(result: StatementResultBody): number[] {
  // BigInt values come as decimal strings, as kalamdb-server 0.4.3 sends them.
  return (result.rows ?? []).map((row) => Number(row[0]));
}
