import { expect } from 'chai';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
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

  describe('keeps the root password, the JWT secret and tokens out of every file of the run folder, archives unpacked', () => {
    // Distinctive canaries, so a match can only be a leak: the JWT secret is long enough for KalamDB (32+).
    const canaries = { password: 'S3cret-Canary-7f1d2c-pw', jwtSecret: 'Jwt-Secret-Canary-0b5e93d2a4c7f1806e' };
    const env = { KALAM_CHAOS_ROOT_PASSWORD: canaries.password, KALAM_CHAOS_JWT_SECRET: canaries.jwtSecret };

    it('against the reference server', async () => {
      const root = tempDir();
      // A preload in every node process of the run records, in the reference server only, the
      // credentials it was started with, outside the run folder.
      const seen = join(root, 'seen-credentials');
      const preload = join(root, 'record-credentials.cjs');
      await fs.writeFile(
        preload,
        `if (/reference-server[\\\\/]main\\.js$/.test(process.argv[1] ?? '')) require('node:fs').appendFileSync(${JSON.stringify(seen)}, process.env.KALAMDB_ROOT_PASSWORD + ' ' + process.env.KALAMDB_JWT_SECRET + '\\n');\n`,
      );
      const out = join(root, 'out');
      const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--seed', '15', '--out', out, ...quick], { env: { ...env, NODE_OPTIONS: `--require ${preload}` } });
      expect(run.exitCode, run.stderr + run.stdout).to.equal(0);
      const runDir = await onlyRunFolder(out);
      await expectServersGotCanaries(seen, runDir);
      await expectNoSecrets(run, runDir, join(root, 'unpacked'));
    });

    it('through a kalamdb-server binary, whose server.toml and server logs are in the run folder too', async () => {
      const root = tempDir();
      // Stands in for kalamdb-server: records the credentials it was started with outside the run
      // folder, so the test knows the canaries really reached the server, then runs the shim.
      const seen = join(root, 'seen-credentials');
      const serverBin = join(root, 'bin', 'kalamdb-server');
      await fs.outputFile(
        serverBin,
        `#!/bin/sh\nprintf '%s %s\\n' "$KALAMDB_ROOT_PASSWORD" "$KALAMDB_JWT_SECRET" >> '${seen}'\nexec '${join(packageRoot(), 'scripts', 'kalamdb-server-reference')}' "$@"\n`,
        { mode: 0o755 },
      );
      const out = join(root, 'out');
      const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--target', 'kalamdb', '--server-bin', serverBin, '--seed', '16', '--out', out, ...quick], { env });
      expect(run.exitCode, run.stderr + run.stdout).to.equal(0);
      const runDir = await onlyRunFolder(out);
      await expectServersGotCanaries(seen, runDir);
      expect(await fs.pathExists(join(runDir, 'servers', 'incarnation-0', 'server.toml'))).to.equal(true);
      await expectNoSecrets(run, runDir, join(root, 'unpacked'));
    });

    /** Every incarnation was started with both canaries (and, the run having passed, accepted the login made with them). */
    async function expectServersGotCanaries(seen: string, runDir: string) {
      const starts = (await readHistory(runDir)).filter((event) => event.event === 'server-start');
      expect(starts.length, 'the server was restarted').to.be.greaterThan(1);
      expect((await fs.readFile(seen, 'utf8')).split('\n').filter(Boolean)).to.deep.equal(starts.map(() => `${canaries.password} ${canaries.jwtSecret}`));
    }

    /** What in `bytes` must never be written: the canaries, a Basic credential, a bearer or access token, any JWT. */
    function leaksIn(bytes: Buffer): string[] {
      const text = bytes.toString('latin1');
      const found: string[] = [];
      if (bytes.includes(canaries.password)) found.push('the root password');
      if (bytes.includes(canaries.jwtSecret)) found.push('the JWT secret');
      if (bytes.includes(Buffer.from(`root:${canaries.password}`).toString('base64'))) found.push('a Basic credential');
      if (/bearer\s+ey/i.test(text)) found.push('a bearer token');
      if (/"(access|refresh)_token"\s*:\s*"ey/.test(text)) found.push('an access token');
      if (/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{20,}/.test(text)) found.push('a JWT');
      return found;
    }

    async function expectNoSecrets(run: { stdout: string; stderr: string }, runDir: string, scratch: string) {
      const scan = await scanTree(runDir, scratch);
      expect(scan.items.length).to.be.greaterThan(5);
      for (const { label, bytes } of scan.items) expect(leaksIn(bytes), label).to.deep.equal([]);
      expect(leaksIn(Buffer.from(run.stdout)), 'stdout').to.deep.equal([]);
      expect(leaksIn(Buffer.from(run.stderr)), 'stderr').to.deep.equal([]);

      // Not vacuous: every snapshot the history names was found, unpacked and read whole.
      const snapshots = (await readHistory(runDir)).filter((event) => event.event === 'snapshot');
      expect(snapshots.length, 'the run took snapshots').to.be.greaterThan(0);
      expect(scan.archives.map((archive) => archive.path)).to.include.members(snapshots.map((event) => join(runDir, String(event.path))));
      for (const event of snapshots) {
        const archive = scan.archives.find((candidate) => candidate.path === join(runDir, String(event.path)))!;
        expect(archive.files.length, `${archive.path} unpacked to files`).to.be.greaterThan(0);
        expect(archive.bytes, `${archive.path} unpacked to the ${String(event.dataBytes)} bytes the data directory held`).to.equal(event.dataBytes);
      }
    }
  });
});

interface ScannedItem {
  readonly label: string;
  readonly bytes: Buffer;
  readonly kind: 'file' | 'inflated' | 'link';
  /** The archive the item was unpacked from (the innermost one), if any. */
  readonly inside?: string;
}

interface Scan {
  /** Every regular file's bytes, every gzip member inflated, every link's target, archives' contents included. */
  readonly items: ScannedItem[];
  /** Each tar.gz found (by content, whatever its name) and what it unpacked to. */
  readonly archives: { path: string; files: string[]; bytes: number }[];
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** Reads everything under `root` without following links; gzip files are inflated, tar archives unpacked into `scratch` and read too. */
async function scanTree(root: string, scratch: string, label = root, inside?: string, scan: Scan = { items: [], archives: [] }): Promise<Scan> {
  for (const entry of await fs.readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    const name = join(label, entry.name);
    if (entry.isDirectory()) {
      await scanTree(path, scratch, name, inside, scan);
    } else if (entry.isSymbolicLink()) {
      scan.items.push({ label: `${name} (link)`, bytes: Buffer.from(await fs.readlink(path)), kind: 'link', ...(inside ? { inside } : {}) });
    } else if (entry.isFile()) {
      const bytes = await fs.readFile(path);
      scan.items.push({ label: name, bytes, kind: 'file', ...(inside ? { inside } : {}) });
      if (!bytes.subarray(0, 2).equals(GZIP_MAGIC)) continue;
      const inflated = gunzipSync(bytes);
      scan.items.push({ label: `${name} (inflated)`, bytes: inflated, kind: 'inflated', ...(inside ? { inside } : {}) });
      if (inflated.toString('latin1', 257, 262) !== 'ustar') continue;
      await fs.ensureDir(scratch);
      const into = await mkdtemp(join(scratch, 'archive-'));
      await execa('tar', ['-xzf', path, '-C', into, '--no-same-owner']);
      await scanTree(into, scratch, `${name}!`, path, scan);
      const unpacked = scan.items.filter((item) => item.kind === 'file' && item.inside === path);
      scan.archives.push({ path, files: unpacked.map((item) => item.label), bytes: unpacked.reduce((sum, item) => sum + item.bytes.length, 0) });
    }
  }
  return scan;
}
