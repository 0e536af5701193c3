import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { createSqlClient, type SqlClient, type SqlClientOptions, type SqlOutcome } from '../../src/client/sql-client.js';
import { waitFor } from '../../src/util/wait.js';

const credentials = { user: 'root', password: 'pw', jwtSecret: 'unused-by-the-client' };
const success = (rows: unknown[][] = []) => ({ status: 'success', results: [{ row_count: rows.length, rows, schema: [{ name: 'v', data_type: 'Text', index: 0 }] }], took: 0.4 });

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

type Handler = (request: Received, response: ServerResponse) => void;

/** An HTTP server in the test process whose answers each test chooses; it records what it received. */
function useServer() {
  let server: Server | undefined;
  const received: Received[] = [];
  let handler: Handler = () => {};
  beforeEach(async () => {
    received.length = 0;
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        received.push(entry);
        handler(entry, response);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });
  return {
    received,
    answer(next: Handler) {
      handler = next;
    },
    baseUrl: () => `http://127.0.0.1:${(server!.address() as AddressInfo).port}`,
  };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** Logs in with a token, then answers SQL with `sql`. */
function withLogin(sql: Handler): Handler {
  return (request, response) => {
    if (request.url === '/v1/api/auth/login') return json(response, 200, { access_token: `token-${Date.now()}-${Math.random()}` });
    sql(request, response);
  };
}

describe('SQL client over HTTP', function () {
  this.timeout(20_000);
  const server = useServer();
  const clients: SqlClient[] = [];
  const client = (options: Partial<SqlClientOptions> = {}): SqlClient => {
    const created = createSqlClient({ baseUrl: server.baseUrl(), auth: 'bearer', credentials, connections: 2, requestTimeoutMs: 5_000, ...options });
    clients.push(created);
    return created;
  };
  afterEach(async () => {
    for (const created of clients.splice(0)) await created.close();
  });

  it('posts the statement as JSON with the bearer token of its login, and returns the results', async () => {
    server.answer(withLogin((_request, response) => json(response, 200, success([['a']]))));
    const outcome = await client().execute("INSERT INTO t VALUES ('x')", { asUser: "o'neil" });
    expect(outcome).to.deep.equal({ kind: 'success', results: success([['a']]).results, tookMs: 0.4 });
    const [login, sql] = server.received;
    expect(JSON.parse(login!.body)).to.deep.equal({ user: 'root', password: 'pw' });
    expect(sql!.method).to.equal('POST');
    expect(sql!.url).to.equal('/v1/api/sql');
    expect(sql!.headers['content-type']).to.equal('application/json');
    expect(sql!.headers.authorization).to.match(/^Bearer token-/);
    expect(JSON.parse(sql!.body)).to.deep.equal({ sql: "EXECUTE AS USER 'o''neil' (INSERT INTO t VALUES ('x'))" });
  });

  it('sends HTTP Basic credentials without logging in', async () => {
    server.answer((_request, response) => json(response, 200, success()));
    expect((await client({ auth: 'basic' }).execute('SELECT 1')).kind).to.equal('success');
    expect(server.received.map((request) => request.url)).to.deep.equal(['/v1/api/sql']);
    expect(server.received[0]!.headers.authorization).to.equal('Basic ' + Buffer.from('root:pw').toString('base64'));
  });

  it("keeps a 4xx answer's code and message as an error", async () => {
    server.answer(withLogin((_request, response) => json(response, 400, { status: 'error', results: [], took: 0.1, error: { code: 'TABLE_NOT_FOUND', message: 'table chaos.t not found', details: null } })));
    expect(await client().execute('SELECT * FROM chaos.t')).to.deep.equal({ kind: 'error', httpStatus: 400, code: 'TABLE_NOT_FOUND', message: 'table chaos.t not found' });
  });

  it('calls a 5xx answer that is not an SQL error indeterminate, with its text', async () => {
    server.answer(
      withLogin((_request, response) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end('bad gateway');
      }),
    );
    expect(await client().execute('INSERT INTO t VALUES (1)')).to.deep.equal({ kind: 'indeterminate', reason: 'unexpected HTTP 502 answer: bad gateway' });
  });

  it('logs in again after a 401 and retries the statement once', async () => {
    let sqlAnswers = 0;
    server.answer(
      withLogin((_request, response) => {
        if (sqlAnswers++ === 0) return json(response, 401, { status: 'error', results: [], took: 0, error: { code: 'UNAUTHORIZED', message: 'token expired', details: null } });
        json(response, 200, success());
      }),
    );
    expect((await client().execute('INSERT INTO t VALUES (1)')).kind).to.equal('success');
    expect(server.received.map((request) => request.url)).to.deep.equal(['/v1/api/auth/login', '/v1/api/sql', '/v1/api/auth/login', '/v1/api/sql']);
  });

  it('calls a connection that was never made refused', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const outcome = await client({ baseUrl: `http://127.0.0.1:${port}`, auth: 'basic' }).execute('INSERT INTO t VALUES (1)');
    expect(outcome.kind).to.equal('refused');
    expect((outcome as Extract<SqlOutcome, { kind: 'refused' }>).reason).to.match(/ECONNREFUSED/);
  });

  it('calls a connection closed after the request arrived indeterminate', async () => {
    server.answer(withLogin((_request, response) => response.socket?.destroy()));
    const outcome = await client().execute('INSERT INTO t VALUES (1)');
    expect(outcome.kind).to.equal('indeterminate');
    expect(server.received.map((request) => request.url)).to.include('/v1/api/sql');
  });

  it('calls an answer whose body breaks off indeterminate', async () => {
    server.answer(
      withLogin((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
        response.write('{"status":"succ', () => response.socket?.destroy());
      }),
    );
    const outcome = await client().execute('INSERT INTO t VALUES (1)');
    expect(outcome.kind).to.equal('indeterminate');
  });

  it('calls a request unanswered within the request timeout indeterminate', async () => {
    server.answer(withLogin(() => {}));
    const started = Date.now();
    const outcome = await client({ requestTimeoutMs: 300 }).execute('INSERT INTO t VALUES (1)');
    expect(outcome.kind).to.equal('indeterminate');
    expect((outcome as Extract<SqlOutcome, { kind: 'indeterminate' }>).reason).to.match(/timeout/i);
    expect(Date.now() - started, 'gave up at the timeout, not later').to.be.below(4_000);
  });

  it('answers health with the status and the parsed body, or the text when it is not JSON', async () => {
    server.answer((request, response) => {
      if (request.url === '/health' && server.received.length === 1) return json(response, 200, { status: 'ok', version: '0.4.3' });
      response.writeHead(503);
      response.end('starting');
    });
    expect(await client().health()).to.deep.equal({ status: 200, body: { status: 'ok', version: '0.4.3' } });
    expect(await client().health()).to.deep.equal({ status: 503, body: 'starting' });
  });
});

describe('SQL client when the server is killed mid-request', function () {
  this.timeout(20_000);
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    child = undefined;
  });

  it('calls the request indeterminate', async () => {
    // A server process that says when a request has arrived and never answers it.
    const script = [
      "const http = require('node:http');",
      "const server = http.createServer((request) => request.on('data', () => {}).on('end', () => console.log('received')));",
      "server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));",
    ].join('\n');
    child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    const port = await waitFor(() => lines.find((line) => line.startsWith('port '))?.slice(5), { what: 'the server to listen', timeoutMs: 10_000 });
    const client = createSqlClient({ baseUrl: `http://127.0.0.1:${port}`, auth: 'basic', credentials, connections: 1, requestTimeoutMs: 10_000 });
    try {
      const pending = client.execute('INSERT INTO t VALUES (1)');
      await waitFor(() => (lines.includes('received') ? true : undefined), { what: 'the request to reach the server', timeoutMs: 10_000 });
      child.kill('SIGKILL');
      const outcome = await pending;
      expect(outcome.kind).to.equal('indeterminate');
    } finally {
      await client.close();
    }
  });
});
