import { expect } from 'chai';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { createSqlClient } from '../../src/client/sql-client.js';
import { discardHistory } from '../../src/history/history.js';
import { generateCredentials } from '../../src/target/credentials.js';
import { findFreePort } from '../../src/target/ports.js';
import { waitUntilReady } from '../../src/target/readiness.js';
import { killServer, launchServer, ServerStartError, type ServerProcess } from '../../src/target/supervisor.js';
import { packageRoot } from '../../src/util/package-root.js';
import { ToolResourceError } from '../../src/util/tool-errors.js';
import { waitFor } from '../../src/util/wait.js';
import { isAlive, waitUntilGone } from '../support/processes.js';
import { useTempDir } from '../support/temp.js';

const fixture = (name: string) => join(packageRoot(), 'tests', 'fixtures', name);

describe('supervisor', () => {
  const tempDir = useTempDir();
  let server: ServerProcess | undefined;
  afterEach(async () => {
    if (server) await killServer(server);
    server = undefined;
  });

  async function start(script: string, port: number) {
    server = await launchServer(
      { command: process.execPath, args: [fixture(script), String(port)], env: {}, host: '127.0.0.1', port },
      { incarnation: 0, dir: tempDir(), history: discardHistory(), sampleIntervalMs: 0 },
    );
    const client = createSqlClient({ baseUrl: server.baseUrl, auth: 'bearer', credentials: generateCredentials() });
    return { server, client };
  }

  it('gives up on a server that never becomes ready, with a clear error, by the deadline', async () => {
    const port = await findFreePort();
    const { server, client } = await start('never-ready-server.mjs', port);
    const started = Date.now();
    try {
      await waitUntilReady(server, client, 1_500);
      expect.fail('readiness should have timed out');
    } catch (error) {
      expect(error).to.be.instanceOf(ServerStartError);
      expect((error as Error).message).to.match(/was not ready within 1500 ms: \/health answered HTTP 503/);
      expect((error as Error).message).to.not.include('\n');
    } finally {
      await client.close();
    }
    expect(Date.now() - started).to.be.below(10_000);
    expect(server.hasExited()).to.equal(false);
  });

  it('reports a server that exits at once with its exit code and stderr', async () => {
    const { server, client } = await start('exits-at-once.mjs', await findFreePort());
    try {
      await waitUntilReady(server, client, 10_000);
      expect.fail('readiness should have failed');
    } catch (error) {
      expect((error as Error).message).to.match(/exited before it was ready \(code 3, signal null\): fatal: cannot open data directory/);
    } finally {
      await client.close();
    }
  });

  it('kills the whole process group, grandchildren included', async () => {
    const script = `const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log(child.pid); setInterval(() => {}, 1000);`;
    server = await launchServer(
      { command: process.execPath, args: ['-e', script], env: {}, host: '127.0.0.1', port: 1 },
      { incarnation: 0, dir: tempDir(), history: discardHistory(), sampleIntervalMs: 0 },
    );
    const { readFile } = await import('node:fs/promises');
    const { waitFor } = await import('../../src/util/wait.js');
    const grandchild = await waitFor(
      async () => {
        const text = (await readFile(server!.stdoutPath, 'utf8')).trim();
        return text ? Number(text) : undefined;
      },
      { what: 'grandchild pid', timeoutMs: 5_000 },
    );
    expect(isAlive(grandchild)).to.equal(true);
    const exit = await killServer(server);
    expect(exit.signal).to.equal('SIGKILL');
    await waitUntilGone(grandchild);
  });

  it('leaves no server behind when the harness dies midway with an uncaught error', async () => {
    const result = await execa(process.execPath, ['--import', 'tsx', fixture('dies-midway.ts'), tempDir()], {
      reject: false,
      cwd: packageRoot(),
    });
    expect(result.exitCode).to.not.equal(0);
    expect(result.stderr).to.include('the test failed midway');
    const pid = Number(result.stdout.trim());
    expect(pid).to.be.greaterThan(0);
    await waitUntilGone(pid);
  });

  it('holds no file open for a server once it has gone, however many it sampled', async function () {
    this.timeout(60_000);
    const openFds = () => readdirSync('/proc/self/fd').length;
    const baseline = openFds();
    for (let index = 0; index < 25; index++) {
      let sampled = 0;
      const history = { ...discardHistory(), record: (event: { type: string }) => void (event.type === 'resources' && sampled++) };
      const sleeper = await launchServer(
        { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], env: {}, host: '127.0.0.1', port: 1 },
        { incarnation: index, dir: join(tempDir(), String(index)), history: history as never, sampleIntervalMs: 10 },
      );
      await waitFor(() => (sampled > 0 ? true : undefined), { what: `a resource sample of server ${index}`, timeoutMs: 10_000, intervalMs: 5 });
      await killServer(sleeper);
    }
    // The sampler lets go of a gone server's /proc file within a few seconds; 25 servers must not leave 25 behind.
    await waitFor(() => (openFds() <= baseline + 2 ? true : undefined), { what: `open fds back near ${baseline} (now ${openFds()})`, timeoutMs: 10_000, intervalMs: 100 });
  });

  it('stops a server it cannot record in the registry, and says why', async () => {
    const blocker = join(tempDir(), 'a-file');
    writeFileSync(blocker, '');
    const saved = process.env.KALAM_CHAOS_REGISTRY_DIR;
    process.env.KALAM_CHAOS_REGISTRY_DIR = join(blocker, 'servers');
    try {
      await launchServer(
        { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], env: {}, host: '127.0.0.1', port: 1 },
        { incarnation: 0, dir: tempDir(), history: discardHistory(), sampleIntervalMs: 0 },
      ).then(
        () => expect.fail('launchServer should refuse a server it cannot record'),
        async (error: Error) => {
          expect(error).to.be.instanceOf(ToolResourceError);
          const pid = Number(/cannot record server (\d+)/.exec(error.message)?.[1]);
          expect(pid, error.message).to.be.greaterThan(0);
          await waitUntilGone(pid);
        },
      );
      expect(existsSync(join(tempDir(), 'server.pid')), 'no pid file for a server that was stopped').to.equal(false);
    } finally {
      if (saved === undefined) delete process.env.KALAM_CHAOS_REGISTRY_DIR;
      else process.env.KALAM_CHAOS_REGISTRY_DIR = saved;
    }
  });
});
