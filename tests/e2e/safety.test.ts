import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import fs from 'fs-extra';
import { runCli, startCli, waitForAcknowledgingServer } from '../support/cli.js';
import { waitUntilGone } from '../support/processes.js';
import { useTempDir } from '../support/temp.js';

const quick = ['--cycles', '1', '--trigger', 'acks:20-40', '--quiet', '--seed', '41'];

describe('safety: data directories it does not own, a full disk', function () {
  this.timeout(120_000);
  const tempDir = useTempDir();

  it('refuses a non-empty data directory it did not create, touching nothing in it', async () => {
    const dir = tempDir();
    const data = join(dir, 'precious');
    mkdirSync(data);
    writeFileSync(join(data, 'CURRENT'), 'somebody else\'s database');
    const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--data-dir', data, '--out', join(dir, 'runs'), ...quick]);
    expect(run.exitCode, run.stderr).to.equal(2);
    expect(run.stderr.trim().split('\n')).to.have.length(1);
    expect(run.stderr).to.include('--i-own-this-data-dir');
    expect(readdirSync(data)).to.deep.equal(['CURRENT']);
    expect(await fs.pathExists(join(dir, 'runs'))).to.equal(false);
  });

  it('creates and marks a data directory, uses it, and refuses a second campaign on its data, naming the run that wrote it', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const first = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--data-dir', data, '--out', join(dir, 'runs'), ...quick]);
    expect(first.exitCode, first.stderr + first.stdout).to.equal(0);
    expect(readdirSync(data)).to.include.members(['.kalam-chaos-data.json', 'rocksdb', 'storage']);
    const firstRun = readdirSync(join(dir, 'runs'))[0]!;
    const before = execFileSync('find', [data, '-printf', '%P %s %T@\\n'], { encoding: 'utf8' });
    const second = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--data-dir', data, '--out', join(dir, 'runs'), ...quick]);
    expect(second.exitCode).to.equal(2);
    expect(second.stderr.trim().split('\n'), second.stderr).to.have.length(1);
    expect(second.stderr).to.match(/holds the data of run .*runs\/kill-mid-insert-.*: a campaign checks the server against its own ledger/);
    expect(second.stderr).to.include(firstRun);
    expect(execFileSync('find', [data, '-printf', '%P %s %T@\\n'], { encoding: 'utf8' }), 'the refused run touched nothing').to.equal(before);
    expect(readdirSync(join(dir, 'runs')), 'no second run folder').to.have.length(1);
  });

  it('marks the data/ of every run folder, so reusing it is refused with the reason', async () => {
    const dir = tempDir();
    const first = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--out', join(dir, 'runs'), ...quick]);
    expect(first.exitCode, first.stderr + first.stdout).to.equal(0);
    const runDir = join(dir, 'runs', readdirSync(join(dir, 'runs'))[0]!);
    const marker = fs.readJsonSync(join(runDir, 'data', '.kalam-chaos-data.json')) as { tool: string; runDir: string };
    expect(marker).to.include({ tool: 'kalam-chaos', runDir });
    const again = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--data-dir', join(runDir, 'data'), '--out', join(dir, 'runs'), ...quick]);
    expect(again.exitCode).to.equal(2);
    expect(again.stderr).to.include(`holds the data of run ${runDir}`);
    expect(again.stderr).to.not.include('was not created by kalam-chaos');
  });

  it('fails with one line, at once, for paths it cannot create (under /proc, where mkdir -p never returns)', async () => {
    for (const args of [['--out', '/proc/kalam-chaos-x/runs'], ['--data-dir', '/proc/kalam-chaos-x/data', '--out', join(tempDir(), 'runs')]]) {
      const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', ...args, ...quick], { timeoutMs: 30_000 });
      expect(run.timedOut, `hung on ${args.join(' ')}`).to.equal(false);
      expect(run.exitCode, run.stderr).to.equal(2);
      expect(run.stderr.trim().split('\n'), run.stderr).to.have.length(1);
      expect(run.stderr).to.match(/\/proc\/kalam-chaos-x.*(ENOENT|timed out)/);
    }
    expect(await fs.pathExists(join(tempDir(), 'runs')), 'no run folder for a data directory it cannot make').to.equal(false);
  });

  it('says on stderr why a server binary that exits at once (/bin/false) made the run an error', async () => {
    const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--target', 'kalamdb', '--server-bin', '/bin/false', '--out', join(tempDir(), 'runs'), ...quick]);
    expect(run.exitCode).to.equal(2);
    expect(run.stderr).to.match(/^kalam-chaos: error during "start server": server \(incarnation 0, pid \d+\) exited before it was ready \(code 1/);
  });

  it('keeps a tar.gz of the data directory at each crash, unless over the cap or turned off', async () => {
    const dir = tempDir();
    const runs = await Promise.all([
      runCli(['run', 'kill-mid-insert', '--workload', 'append', '--out', join(dir, 'on'), ...quick]),
      runCli(['run', 'kill-mid-insert', '--workload', 'append', '--out', join(dir, 'off'), '--no-snapshots', ...quick]),
    ]);
    for (const run of runs) expect(run.exitCode, run.stderr + run.stdout).to.equal(0);
    const on = join(dir, 'on', readdirSync(join(dir, 'on'))[0]!);
    const listing = execFileSync('tar', ['-tzf', join(on, 'snapshots', 'cycle-1.tar.gz')], { encoding: 'utf8' });
    expect(listing).to.include('./rocksdb/wal.log');
    const off = join(dir, 'off', readdirSync(join(dir, 'off'))[0]!);
    expect(await fs.pathExists(join(off, 'snapshots'))).to.equal(false);
  });

  it('rejects --i-own-this-data-dir without --data-dir', async () => {
    const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--i-own-this-data-dir', '--out', tempDir()]);
    expect(run.exitCode).to.equal(2);
    expect(run.stderr.trim().split('\n')).to.have.length(1);
  });

  it('stops within 10 s, with one line and exit 2, when the disk fills mid-run, leaving no server and no registry entry', async function () {
    const dir = tempDir();
    const mount = join(dir, 'small');
    mkdirSync(mount);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mount], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      console.log(`      skipped: cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()})`);
      this.skip();
    }
    const registry = join(dir, 'registry');
    try {
      const out = join(mount, 'runs');
      const cli = startCli(['run', 'kill-mid-insert', '--seed', '42', '--cycles', '300', '--out', out, '--quiet'], { KALAM_CHAOS_REGISTRY_DIR: registry });
      // Fill the disk only once a server runs on it, acknowledging writes.
      const { runDir, serverPid } = await waitForAcknowledgingServer(out);
      fillDisk(join(mount, 'filler'));
      await expectOneLineErrorWithin(cli, Date.now(), /ENOSPC/);
      await waitUntilGone(serverPid);
      expect(spawnSync('pgrep', ['-f', mount], { encoding: 'utf8' }).stdout.trim(), 'no process left on the full disk').to.equal('');
      expect(readdirSync(registry), 'every registry entry removed').to.deep.equal([]);
      const result = join(runDir, 'result.json');
      if (await fs.pathExists(result)) expect(((await fs.readJson(result)) as { verdict: string }).verdict, 'a result, if any, is whole and says error').to.equal('error');
    } finally {
      execFileSync('umount', ['-l', mount]);
    }
  });

  // Spare 0: the tool cannot open one more file. Spare 6: it can still spawn a server, which inherits
  // the limit and dies of it at startup (Node calls that ERR_MODULE_NOT_FOUND), or fails to spawn.
  for (const spare of [0, 6]) it(`stops within 10 s, with one line and exit 2, when the tool runs out of file descriptors mid-run (${spare} spare): an error, never recovery-failed`, async function () {
    if (spawnSync('prlimit', ['--version']).status !== 0) {
      console.log('      skipped: prlimit (util-linux) is not installed');
      this.skip();
    }
    const out = join(tempDir(), 'runs');
    const registry = join(tempDir(), 'registry');
    const cli = startCli(['run', 'kill-mid-insert', '--seed', '43', '--cycles', '300', '--out', out, '--quiet'], { KALAM_CHAOS_REGISTRY_DIR: registry });
    const { runDir, serverPid } = await waitForAcknowledgingServer(out);
    // From now on the tool cannot open one more file or socket (servers it starts inherit the limit; the running one does not).
    const limit = readdirSync(`/proc/${cli.pid}/fd`).length + spare;
    execFileSync('prlimit', ['--pid', String(cli.pid), `--nofile=${limit}:${limit}`]);
    await expectOneLineErrorWithin(cli, Date.now(), /EMFILE/);
    await waitUntilGone(serverPid);
    const result = (await fs.readJson(join(runDir, 'result.json')).catch(() => undefined)) as { verdict: string; violations: unknown[] } | undefined;
    if (result) {
      expect(result.verdict).to.equal('error');
      expect(result.violations, 'the tool\'s EMFILE is not a violation of the database').to.deep.equal([]);
    }
  });
});

/** The run ends within 10 s of `since` with exit 2 and one stderr line matching `pattern`. */
async function expectOneLineErrorWithin(cli: ReturnType<typeof startCli>, since: number, pattern: RegExp): Promise<void> {
  const run = await cli;
  const stderr = String(run.stderr);
  expect(Date.now() - since, 'exit within 10 s').to.be.below(10_000);
  expect(run.exitCode, stderr + String(run.stdout)).to.equal(2);
  expect(stderr.trim().split('\n'), stderr).to.have.length(1);
  expect(stderr).to.match(pattern);
}

/** Writes zeros until the file system says ENOSPC. */
function fillDisk(path: string): void {
  const chunk = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'w');
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}
