import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  CHECK_NAMES,
  powerLossCheck,
  checkChromium,
  checkDiskSpace,
  checkLoopbackPort,
  checkNode,
  checkParquet,
  checkReferenceServer,
  checkServerBinary,
  doctorPassed,
  formatDoctor,
  syscallKillsCheck,
  type DoctorCheck,
} from '../../src/doctor/checks.js';
import { packageRoot } from '../../src/util/package-root.js';
import { runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

function expectShape(result: DoctorCheck, name: string): void {
  expect(result).to.have.all.keys('name', 'status', 'detail', 'required');
  expect(result.name).to.equal(name);
  expect(['ok', 'warn', 'fail']).to.include(result.status);
  expect(result.detail).to.be.a('string').and.not.equal('');
  expect(result.detail).to.not.include('\n');
  expect(result.required).to.be.a('boolean');
}

async function script(path: string, body: string, mode = 0o755): Promise<string> {
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, mode);
  return path;
}

describe('doctor checks', () => {
  const tmp = useTempDir('kalam-chaos-doctor-');

  describe('kalamdb-server', () => {
    it('fails (required) for a --server-bin that does not exist', async () => {
      const result = await checkServerBinary({ path: join(tmp(), 'missing-kalamdb-server') });
      expectShape(result, 'kalamdb-server');
      expect(result.status).to.equal('fail');
      expect(result.required).to.equal(true);
      expect(result.detail).to.include('not found');
    });

    it('fails (required) for a file that is not executable', async () => {
      const path = await script(join(tmp(), 'kalamdb-server'), 'echo 1', 0o644);
      const result = await checkServerBinary({ path });
      expectShape(result, 'kalamdb-server');
      expect(result.status).to.equal('fail');
      expect(result.detail).to.include('not executable');
    });

    it('fails for a folder', async () => {
      const result = await checkServerBinary({ path: tmp() });
      expect(result.status).to.equal('fail');
      expect(result.detail).to.include('not a file');
    });

    it('starts a binary the way a campaign does and reports the version /health names', async function () {
      this.timeout(60_000);
      // The reference server in KalamDB mode, invoked exactly as kalamdb-server is (server.toml, KALAMDB_* env).
      const result = await checkServerBinary({ path: join(packageRoot(), 'scripts', 'kalamdb-server-reference') });
      expectShape(result, 'kalamdb-server');
      expect(result.status, result.detail).to.equal('ok');
      expect(result.detail).to.match(/answered SELECT 1 in \d+ ms; \/health reports version \S+/);
    });

    it('fails a named binary that exits at once, with the end of its stderr', async () => {
      const failing = await script(join(tmp(), 'failing'), 'echo "missing field performance" >&2; exit 3');
      const failed = await checkServerBinary({ path: failing });
      expect(failed.status).to.equal('fail');
      expect(failed.required).to.equal(true);
      expect(failed.detail).to.include('code 3').and.include('missing field performance');
    });

    it('fails a named binary that never becomes ready within the timeout, and stops it', async () => {
      const hanging = await script(join(tmp(), 'hanging'), 'exec sleep 30');
      const started = Date.now();
      const hung = await checkServerBinary({ path: hanging, timeoutMs: 500 });
      expect(hung.status).to.equal('fail');
      expect(hung.detail).to.include('not ready within 500 ms');
      expect(Date.now() - started).to.be.below(15_000);
    });

    it('only warns (not required) when no binary is given and none is on PATH', async () => {
      const result = await checkServerBinary({ pathVariable: tmp() });
      expectShape(result, 'kalamdb-server');
      expect(result.status).to.equal('warn');
      expect(result.required).to.equal(false);
    });

    it('finds kalamdb-server on PATH when none is given, and only warns when it does not start', async () => {
      await script(join(tmp(), 'kalamdb-server'), 'echo "kalamdb-server 9.9"');
      const result = await checkServerBinary({ pathVariable: tmp() });
      expect(result.status).to.equal('warn');
      expect(result.required).to.equal(false);
      expect(result.detail).to.include(join(tmp(), 'kalamdb-server'));
    });
  });

  describe('reference server', () => {
    it('fails (required) when it is not built', async () => {
      const result = await checkReferenceServer({ entry: join(tmp(), 'main.js'), nodePath: process.execPath });
      expectShape(result, 'reference-server');
      expect(result.status).to.equal('fail');
      expect(result.required).to.equal(true);
      expect(result.detail).to.include('npm run build');
    });

    it('fails when its --help does not work', async () => {
      const entry = join(tmp(), 'main.js');
      await writeFile(entry, 'process.stderr.write("boom\\n"); process.exit(1);\n');
      const result = await checkReferenceServer({ entry, nodePath: process.execPath });
      expect(result.status).to.equal('fail');
      expect(result.detail).to.include('exited 1: boom');
    });

    it('is ok for the built one', async () => {
      const entry = join(packageRoot(), 'dist', 'src', 'reference-server', 'main.js');
      const result = await checkReferenceServer({ entry, nodePath: process.execPath });
      expect(result.status, result.detail).to.equal('ok');
      expect(result.detail).to.include('usage');
    });
  });

  describe('node', () => {
    it('compares the version with engines.node', () => {
      expect(checkNode({ version: '20.18.1', engines: '>=20.18.1' }).status).to.equal('ok');
      expect(checkNode({ version: 'v22.1.0', engines: '>=20.18.1' }).status).to.equal('ok');
      const old = checkNode({ version: '20.18.0', engines: '>=20.18.1' });
      expectShape(old, 'node');
      expect(old.status).to.equal('fail');
      expect(old.required).to.equal(true);
      expect(checkNode({ version: '18.20.0', engines: '>=20' }).status).to.equal('fail');
      expect(checkNode({ version: '20.18.1', engines: '^20 || ^22' }).status).to.equal('warn');
      expect(checkNode({ version: '20.18.1', engines: undefined }).status).to.equal('ok');
    });
  });

  describe('the other checks', () => {
    it('loopback port, parquet round trip', async () => {
      const port = await checkLoopbackPort();
      expectShape(port, 'loopback-port');
      expect(port.status).to.equal('ok');
      expect(port.required).to.equal(true);
      const parquet = await checkParquet();
      expectShape(parquet, 'parquet');
      expect(parquet.status, parquet.detail).to.equal('ok');
      expect(parquet.detail).to.include('ZSTD');
    });

    it('disk space: measured at the nearest existing folder, with thresholds', async () => {
      const ok = await checkDiskSpace({ dir: join(tmp(), 'not', 'yet', 'there'), warnBytes: 1, failBytes: 0 });
      expectShape(ok, 'disk-space');
      expect(ok.status).to.equal('ok');
      expect(ok.detail).to.include(`at ${tmp()} (for`);
      const low = await checkDiskSpace({ dir: tmp(), warnBytes: Number.MAX_SAFE_INTEGER, failBytes: Number.MAX_SAFE_INTEGER });
      expect(low.status).to.equal('fail');
      expect(low.required).to.equal(false);
      const warn = await checkDiskSpace({ dir: tmp(), warnBytes: Number.MAX_SAFE_INTEGER, failBytes: 0 });
      expect(warn.status).to.equal('warn');
    });

    it('syscall kills: a warning with the reason when strace cannot be used', () => {
      const result = syscallKillsCheck({ available: false, reason: 'strace not installed' });
      expectShape(result, 'syscall-kills');
      expect(result.status).to.equal('warn');
      expect(result.detail).to.include('strace not installed');
      expect(syscallKillsCheck({ available: true, straceVersion: '6.1' }).status).to.equal('ok');
    });

    it('power loss: a warning with the reason when lossfs cannot mount', () => {
      const result = powerLossCheck({ available: false, reason: '/dev/fuse is not usable: ENOENT' });
      expectShape(result, 'power-loss');
      expect(result.status).to.equal('warn');
      expect(result.detail).to.include('/dev/fuse');
      expect(powerLossCheck({ available: true, python: '/usr/bin/python3' }).status).to.equal('ok');
    });

    it('chromium: a warning when it is missing or not executable', async () => {
      const missing = await checkChromium({ path: join(tmp(), 'chromium') });
      expectShape(missing, 'chromium');
      expect(missing.status).to.equal('warn');
      expect(missing.detail).to.include('not found');
      const plain = await script(join(tmp(), 'plain'), 'exit 0', 0o644);
      expect((await checkChromium({ path: plain })).detail).to.include('not executable');
    });
  });

  it('passes unless a required check fails; one line per check', () => {
    const checks: DoctorCheck[] = [
      { name: 'node', status: 'ok', detail: 'node 20', required: true },
      { name: 'chromium', status: 'fail', detail: 'gone', required: false },
      { name: 'parquet', status: 'warn', detail: 'hmm', required: false },
    ];
    expect(doctorPassed(checks)).to.equal(true);
    expect(doctorPassed([...checks, { name: 'loopback-port', status: 'fail', detail: 'x', required: true }])).to.equal(false);
    const lines = formatDoctor(checks).split('\n');
    expect(lines).to.have.length(3);
    for (const line of lines) expect(line).to.match(/^(ok|warn|fail)\s+\S+\s+\S.*$/);
    expect(lines[1]).to.match(/^fail {2}chromium {2}gone$/);
  });
});

describe('kalam-chaos doctor (e2e)', () => {
  const tmp = useTempDir('kalam-chaos-doctor-e2e-');

  it('--json exits 0 and lists every check', async () => {
    const result = await runCli(['doctor', '--json', '--out', tmp()]);
    expect(result.exitCode, result.stderr).to.equal(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: DoctorCheck[] };
    expect(report.ok).to.equal(true);
    expect(report.checks.map((c) => c.name)).to.deep.equal([...CHECK_NAMES]);
    for (const check of report.checks) expectShape(check, check.name);
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    for (const required of ['node', 'reference-server', 'loopback-port']) expect(byName[required]!.status, required).to.equal('ok');
  });

  it('prints one line per check and exits 1 when a --server-bin given does not exist', async () => {
    const missing = join(tmp(), 'kalamdb-server');
    const result = await runCli(['doctor', '--server-bin', missing, '--out', tmp()]);
    expect(result.exitCode).to.equal(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).to.have.length(CHECK_NAMES.length);
    expect(lines.find((line) => line.includes('kalamdb-server'))).to.match(/^fail\s+kalamdb-server\s+.*not found$/);
  });
});
