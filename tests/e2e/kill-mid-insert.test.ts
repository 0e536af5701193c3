import { expect } from 'chai';
import { join } from 'node:path';
import fs from 'fs-extra';
import { onlyRunFolder, readHistory, readResult, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';
import { packageRoot } from '../../src/util/package-root.js';

const quick = ['--cycles', '2', '--trigger', 'acks:20-60', '--quiet'];

describe('kill-mid-insert campaign (end to end, through the CLI)', function () {
  this.timeout(120_000);
  const tempDir = useTempDir();

  it('passes against the correct reference server and explains itself in the run folder', async () => {
    const out = tempDir();
    const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--seed', '11', '--out', out, ...quick]);
    expect(run.exitCode, run.stderr + run.stdout).to.equal(0);
    expect(run.stdout).to.match(/^PASS: kill-mid-insert seed=11 target=reference/);
    const runDir = await onlyRunFolder(out);
    const result = await readResult(runDir);
    expect(result).to.include({ schemaVersion: 2, scenario: 'kill-mid-insert', seed: 11, verdict: 'pass', exitCode: 0 });
    expect(result.violations).to.deep.equal([]);
    expect(result.cycles).to.have.length(2);
    expect(result.totals.rows.acknowledged).to.be.greaterThan(20);
    for (const cycle of result.cycles) {
      expect(cycle.fault?.delivered).to.equal(true);
      expect(cycle.checks.map((check) => check.check)).to.include.members(['segment-immutability-after-crash', 'acknowledged-writes', 'metadata', 'table-unavailable', 'flush-stuck', 'segment-immutability', 'recovery']);
      expect(cycle.checks.every((check) => check.ok)).to.equal(true);
    }

    const events = await readHistory(runDir);
    const types = new Set(events.map((event) => event.event));
    for (const type of ['run-start', 'server-start', 'server-ready', 'request', 'response', 'kill', 'server-exit', 'fault', 'read-back', 'metadata', 'cycle-end', 'run-end']) {
      expect(types, `history has ${type}`).to.include(type);
    }
    // Verdicts are not events: the checkers judge the observations above, so `check` can recompute them.
    expect(types).to.not.include('check');
    expect(events.filter((event) => event.event === 'kill')).to.have.length(2);
    expect(events.every((event) => typeof event.time === 'string' && typeof event.t === 'number')).to.equal(true);
    for (const incarnation of [0, 1, 2]) {
      expect(await fs.pathExists(join(runDir, 'servers', `incarnation-${incarnation}`, 'stdout.log'))).to.equal(true);
    }
  });

  it('catches ack-before-write with a SIGKILL and lists the lost ids', async () => {
    const out = tempDir();
    const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--seed', '12', '--out', out, '--defect', 'ack-before-write', '--ack-delay-ms', '200', ...quick]);
    expect(run.exitCode, run.stderr + run.stdout).to.equal(1);
    expect(run.stdout).to.match(/^FAIL/);
    expect(run.stdout).to.include('lost:');
    const result = await readResult(await onlyRunFolder(out));
    expect(result.verdict).to.equal('fail');
    const lost = result.violations.filter((record) => record.violation.kind === 'lost');
    expect(lost.length).to.be.greaterThan(0);
    for (const record of lost) {
      if (record.violation.kind !== 'lost') continue;
      expect(record.violation.ids.length).to.be.greaterThan(0);
      expect(record.violation.ids.every((id) => Number.isInteger(id) && id > 0)).to.equal(true);
    }
  });

  it('drives a kalamdb-server binary: writes server.toml, passes secrets by env, logs in with a bearer token', async () => {
    const out = tempDir();
    const shim = join(packageRoot(), 'scripts', 'kalamdb-server-reference');
    const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--target', 'kalamdb', '--server-bin', shim, '--seed', '13', '--out', out, '--sync-writes', ...quick]);
    expect(run.exitCode, run.stderr + run.stdout).to.equal(0);
    const runDir = await onlyRunFolder(out);
    const result = await readResult(runDir);
    expect(result.target).to.include({ kind: 'kalamdb', auth: 'bearer', syncWrites: true });
    const toml = await fs.readFile(join(runDir, 'servers', 'incarnation-0', 'server.toml'), 'utf8');
    expect(toml).to.include(`data_path = "${join(runDir, 'data')}"`);
    expect(toml).to.include('sync_writes = true');
    // The server really used the data_path from the generated config.
    expect(await fs.pathExists(join(runDir, 'data', 'rocksdb'))).to.equal(true);
  });

  it('drives an older kalamdb-server build that takes HTTP Basic auth', async () => {
    const out = tempDir();
    const shim = join(packageRoot(), 'scripts', 'kalamdb-server-reference');
    const run = await runCli(
      ['run', 'kill-mid-insert', '--workload', 'append', '--target', 'kalamdb', '--server-bin', shim, '--auth', 'basic', '--seed', '14', '--out', out, ...quick],
      { env: { KALAM_REFERENCE_ACCEPT_BASIC: '1' } },
    );
    expect(run.exitCode, run.stderr + run.stdout).to.equal(0);
    expect((await readResult(await onlyRunFolder(out))).target).to.include({ auth: 'basic' });
  });

  it('keeps the root password and tokens out of every file of the run folder', async () => {
    const out = tempDir();
    const password = 'S3cret-Canary-7f1d2c';
    const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--seed', '15', '--out', out, ...quick], {
      env: { KALAM_CHAOS_ROOT_PASSWORD: password },
    });
    expect(run.exitCode, run.stderr + run.stdout).to.equal(0);
    const runDir = await onlyRunFolder(out);
    const files: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else files.push(path);
      }
    };
    await walk(runDir);
    expect(files.length).to.be.greaterThan(5);
    for (const file of files) {
      const content = await fs.readFile(file);
      expect(content.includes(password), `${file} contains the root password`).to.equal(false);
      expect(content.includes('Bearer ey'), `${file} contains a bearer token`).to.equal(false);
      expect(/"access_token"\s*:\s*"ey/.test(content.toString('latin1')), `${file} contains an access token`).to.equal(false);
    }
    expect(run.stdout + run.stderr).to.not.include(password);
  });
});
