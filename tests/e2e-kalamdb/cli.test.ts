import { expect } from 'chai';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import fs from 'fs-extra';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import { startKalamdb, type RunningKalamdb } from '../../src/target/start-kalamdb.js';
import { isAlive } from '../support/processes.js';

/** The real `kalam` CLI as a user runs it, against a real kalamdb-server (INTERFACE.md, "The kalam CLI"). */
describe('kalam CLI against the real kalamdb-server (black box)', function () {
  this.timeout(60_000);
  let kalam: string;
  let serverBin: string;
  let dir: string;
  let running: RunningKalamdb | undefined;

  before(async function () {
    this.timeout(60_000);
    kalam = requireKalamdbBinary(this, 'kalam');
    serverBin = requireKalamdbBinary(this, 'kalamdb-server');
    dir = await mkdtemp(join(tmpdir(), 'kalam-cli-test-'));
    running = await startKalamdb(serverBin, dir, 45_000);
  });

  after(async function () {
    this.timeout(30_000);
    const pid = running?.server.pid;
    await running?.stop();
    if (pid !== undefined) expect(isAlive(pid), `kalamdb-server ${pid} still running`).to.equal(false);
    if (dir) await fs.remove(dir);
  });

  /** Runs kalam with a temporary --config and HOME, so nothing lands in the real ~/.kalam. */
  function runKalam(args: string[]) {
    return execa(kalam, ['--config', join(dir, 'config.toml'), '--no-color', '--no-spinner', ...args], {
      reject: false,
      timeout: 30_000,
      env: { HOME: dir },
      stdin: 'ignore',
    });
  }

  function asRoot(args: string[]): string[] {
    const { url, credentials } = running!;
    return ['-u', url, '--user', credentials.user, '--password', credentials.password, ...args];
  }

  it('--version names the build under test', async () => {
    const cli = await runKalam(['--version']);
    expect(cli.exitCode, cli.stderr).to.equal(0);
    expect(cli.stdout.split('\n')[0]).to.equal('kalam 0.4.3-rc.4');
  });

  it('SELECT 1 exits 0', async () => {
    const cli = await runKalam(asRoot(['-c', 'SELECT 1']));
    expect(cli.exitCode, `${cli.stdout}\n${cli.stderr}`).to.equal(0);
    expect(cli.stdout).to.include('1');
  });

  it('bad SQL exits 1 with Error: on stderr', async () => {
    const cli = await runKalam(asRoot(['-c', 'SELEC nonsense FROM']));
    expect(cli.exitCode, `${cli.stdout}\n${cli.stderr}`).to.equal(1);
    expect(cli.stderr).to.match(/Error:/);
  });

  it('--format json prints JSON that parses and holds the answer', async () => {
    const cli = await runKalam(asRoot(['--format', 'json', '-c', 'SELECT 41 + 1 AS answer']));
    expect(cli.exitCode, `${cli.stdout}\n${cli.stderr}`).to.equal(0);
    const parsed: unknown = JSON.parse(cli.stdout);
    expect(JSON.stringify(parsed)).to.include('42');
  });

  it('a wrong password exits 1 with Error: on stderr', async () => {
    const { url } = running!;
    const cli = await runKalam(['-u', url, '--user', 'root', '--password', 'not-the-password', '-c', 'SELECT 1']);
    expect(cli.exitCode, `${cli.stdout}\n${cli.stderr}`).to.equal(1);
    expect(cli.stderr).to.match(/Error:/);
  });
});
