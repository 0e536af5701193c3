import { expect } from 'chai';
import { join } from 'node:path';
import { request } from 'undici';
import { createSqlClient, type SqlClient } from '../../src/client/sql-client.js';
import { discardHistory } from '../../src/history/history.js';
import { generateCredentials } from '../../src/target/credentials.js';
import { findFreePort } from '../../src/target/ports.js';
import { waitUntilReady } from '../../src/target/readiness.js';
import { createReferenceTarget } from '../../src/target/reference.js';
import { killServer, launchServer, ServerStartError, type ServerProcess } from '../../src/target/supervisor.js';
import { packageRoot } from '../../src/util/package-root.js';
import { DeadlineExceeded, delay } from '../../src/util/wait.js';
import { useTempDir } from '../support/temp.js';

const fixture = join(packageRoot(), 'tests', 'fixtures', 'staged-ready-server.mjs');

describe('readiness', () => {
  const tempDir = useTempDir();
  const started: { server: ServerProcess; client: SqlClient }[] = [];
  afterEach(async () => {
    for (const { server, client } of started.splice(0)) {
      await client.close();
      await killServer(server);
    }
  });

  async function startStaged(healthFailures: number, sqlFailures: number, mode = '') {
    const port = await findFreePort();
    const server = await launchServer(
      { command: process.execPath, args: [fixture, String(port), String(healthFailures), String(sqlFailures), mode], env: {}, host: '127.0.0.1', port },
      { incarnation: 0, dir: tempDir(), history: discardHistory(), sampleIntervalMs: 0 },
    );
    const client = createSqlClient({ baseUrl: server.baseUrl, auth: 'bearer', credentials: generateCredentials() });
    started.push({ server, client });
    return { server, client };
  }

  async function requestsSeen(server: ServerProcess): Promise<string[]> {
    const response = await request(`${server.baseUrl}/requests`);
    return (await response.body.json()) as string[];
  }

  it('polls /health alone until it answers 200, then logs in once and retries only SELECT 1', async () => {
    const { server, client } = await startStaged(4, 3);
    const readiness = await waitUntilReady(server, client, 20_000);
    expect(readiness.version).to.equal('staged-1');
    expect(await requestsSeen(server)).to.deep.equal([
      ...Array<string>(4).fill('health 503'),
      'health 200',
      'login',
      ...Array<string>(3).fill('sql error'),
      'sql success',
    ]);
  });

  it('names the failing SELECT 1 when the deadline passes after /health answered', async () => {
    const { server, client } = await startStaged(0, 1_000_000);
    const error = await waitUntilReady(server, client, 1_000).then(
      () => expect.fail('readiness should have timed out'),
      (caught: Error) => caught,
    );
    expect(error).to.be.instanceOf(ServerStartError);
    expect(error.cause).to.be.instanceOf(DeadlineExceeded);
    expect(error.message).to.match(/was not ready within 1000 ms: SELECT 1: INTERNAL_ERROR: still opening/);
    expect((await requestsSeen(server)).filter((seen) => seen === 'login')).to.have.length(1);
  });

  it('reports a server that exits after /health answered as exited before ready, not as a timeout', async () => {
    const { server, client } = await startStaged(0, 0, 'exit-on-sql');
    const error = await waitUntilReady(server, client, 20_000).then(
      () => expect.fail('readiness should have failed'),
      (caught: Error) => caught,
    );
    expect(error).to.be.instanceOf(ServerStartError);
    expect(error.message).to.match(/exited before it was ready \(code 4, signal null\)/);
  });

  it('the reference server accepts no connection before it can serve SQL: its first /health 200 is followed by a SELECT 1 that works', async function () {
    this.timeout(30_000);
    const credentials = generateCredentials({});
    const target = createReferenceTarget({ kind: 'reference', defects: [], auth: 'bearer' }, join(tempDir(), 'data'), credentials);
    const port = await findFreePort();
    const dir = join(tempDir(), 'server');
    const server = await launchServer(await target.plan({ index: 0, dir, port }), { incarnation: 0, dir, history: discardHistory(), sampleIntervalMs: 0 });
    const client = createSqlClient({ baseUrl: server.baseUrl, auth: 'bearer', credentials });
    started.push({ server, client });
    const deadline = Date.now() + 20_000;
    const refused: string[] = [];
    for (;;) {
      expect(server.hasExited(), 'the reference server exited').to.equal(false);
      expect(Date.now(), `/health never answered 200: ${refused.at(-1)}`).to.be.below(deadline);
      const health = await client.health().catch((error: Error) => error);
      if (!(health instanceof Error) && health.status === 200) break;
      refused.push(health instanceof Error ? health.message : `HTTP ${health.status}`);
      await delay(5);
    }
    expect(refused.length, 'the probe began before the server listened').to.be.greaterThan(0);
    const outcome = await client.execute('SELECT 1');
    expect(outcome.kind, JSON.stringify(outcome)).to.equal('success');
  });
});
