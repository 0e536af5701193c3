import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fs from 'fs-extra';
import { runCli } from '../support/cli.js';
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

  it('creates and marks a data directory, uses it, and refuses to start a second campaign on its namespace', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const first = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--data-dir', data, '--out', join(dir, 'runs'), ...quick]);
    expect(first.exitCode, first.stderr + first.stdout).to.equal(0);
    expect(readdirSync(data)).to.include.members(['.kalam-chaos-data.json', 'rocksdb', 'storage']);
    const second = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--data-dir', data, '--out', join(dir, 'runs'), ...quick]);
    expect(second.exitCode).to.equal(2);
    expect(second.stdout).to.match(/namespace chaos already exists/);
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

  it('stops with one line and exit 2 when the output disk is full, leaving no server behind', async function () {
    const dir = tempDir();
    const mount = join(dir, 'tiny');
    mkdirSync(mount);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], { stdio: 'ignore' });
    if (mounted.status !== 0) this.skip();
    try {
      // Fill it so that the run folder cannot even be written.
      spawnSync('dd', ['if=/dev/zero', `of=${join(mount, 'filler')}`, 'bs=4k', 'count=1000'], { stdio: 'ignore' });
      const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--out', join(mount, 'runs'), ...quick]);
      expect(run.exitCode, run.stderr + run.stdout).to.equal(2);
      expect(run.stderr.trim().split('\n'), run.stderr).to.have.length(1);
      expect(run.stderr).to.match(/ENOSPC|not writable|cannot write/);
      const servers = spawnSync('pgrep', ['-f', mount], { encoding: 'utf8' }).stdout.trim();
      expect(servers, 'no server left on the full disk').to.equal('');
    } finally {
      execFileSync('umount', ['-l', mount]);
    }
  });
});
