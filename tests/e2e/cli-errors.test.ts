import { expect } from 'chai';
import { chmod, mkdir, readdir, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import fs from 'fs-extra';
import { runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

describe('CLI bad input: one clear line, exit 2, nothing started or destroyed', function () {
  this.timeout(60_000);
  const tempDir = useTempDir();

  async function expectUsageError(args: string[], message: RegExp) {
    const run = await runCli(args);
    expect(run.exitCode, run.stderr).to.equal(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).to.have.length(1);
    expect(lines[0]).to.match(message);
    return run;
  }

  it('rejects an unknown scenario', async () => {
    await expectUsageError(['run', 'kill-everything', '--out', tempDir()], /unknown scenario "kill-everything"; known scenarios: kill-mid-insert/);
  });

  it('rejects a missing, a non-executable and a directory server binary', async () => {
    const dir = tempDir();
    const plain = join(dir, 'kalamdb-server');
    await writeFile(plain, '#!/bin/sh\n');
    await chmod(plain, 0o644);
    await expectUsageError(['run', 'kill-mid-insert', '--target', 'kalamdb', '--server-bin', join(dir, 'nope'), '--out', join(dir, 'runs')], /kalamdb-server binary not found: .*nope/);
    await expectUsageError(['run', 'kill-mid-insert', '--target', 'kalamdb', '--server-bin', plain, '--out', join(dir, 'runs')], /kalamdb-server binary is not executable/);
    await expectUsageError(['run', 'kill-mid-insert', '--target', 'kalamdb', '--server-bin', dir, '--out', join(dir, 'runs')], /kalamdb-server binary is not a file/);
    expect(await fs.pathExists(join(dir, 'runs')), 'no run folder for a bad binary').to.equal(false);
  });

  it('rejects malformed options and an unknown defect', async () => {
    await expectUsageError(['run', 'kill-mid-insert', '--cycles', 'x', '--out', tempDir()], /--cycles must be a whole number/);
    await expectUsageError(['run', 'kill-mid-insert', '--defect', 'eat-data', '--out', tempDir()], /unknown defect "eat-data"/);
    await expectUsageError(['run', 'kill-mid-insert', '--target', 'nowhere'], /--target/);
    await expectUsageError(['run'], /missing required argument 'scenario'/);
    await expectUsageError(['frobnicate'], /unknown command 'frobnicate'/);
  });

  it('rejects an output folder it cannot write', async function () {
    // A path under a regular file is unwritable for everyone, root included.
    const file = join(tempDir(), 'a-file');
    await writeFile(file, '');
    await expectUsageError(['run', 'kill-mid-insert', '--out', join(file, 'runs')], /output folder .*a-file\/runs is not writable: ENOTDIR/);
    expect((await stat(file)).isFile()).to.equal(true);
    expect((await stat(file)).size).to.equal(0);

    const dir = join(tempDir(), 'readonly');
    await mkdir(dir);
    // Root ignores permission bits, so for root (how CI runs) the folder is a read-only tmpfs: the
    // kernel refuses every write with EROFS whoever asks. Anyone else gets a 0555 folder.
    let mounted = false;
    let how: string;
    if (process.getuid?.() === 0) {
      const mount = await execa('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], { reject: false });
      mounted = mount.exitCode === 0;
      how = mounted ? 'a read-only tmpfs' : `a 0555 folder (mount failed: ${mount.stderr.trim() || mount.shortMessage})`;
    } else {
      how = 'a 0555 folder';
    }
    const code = mounted ? /: EROFS$/m : /: EACCES$/m;
    try {
      if (!mounted) await chmod(dir, 0o555);
      const probe = join(dir, 'probe');
      const refused = await mkdir(probe).then(
        () => false,
        () => true,
      );
      if (!refused) {
        await rmdir(probe);
        console.log(`      cannot make a folder this user cannot write (${how} was still writable), skipping the read-only case`);
        this.skip();
      }
      const run = await expectUsageError(['run', 'kill-mid-insert', '--out', dir], /output folder .* is not writable/);
      expect(run.stderr, how).to.include(`output folder ${dir} is not writable`).and.match(code);
      expect(await readdir(dir), `nothing was created in ${how}`).to.deep.equal([]);
      // A folder still to be made inside it (the reason named varies: ensureDir reports ENOENT on a read-only tmpfs).
      await expectUsageError(['run', 'kill-mid-insert', '--out', join(dir, 'runs')], /output folder .*readonly\/runs is not writable/);
      expect(await readdir(dir), `nothing was created in ${how}`).to.deep.equal([]);
    } finally {
      if (mounted) await execa('umount', ['-l', dir]);
      else await chmod(dir, 0o755);
    }
  });

  it('lists scenarios, workloads and defects', async () => {
    const run = await runCli(['list']);
    expect(run.exitCode).to.equal(0);
    expect(run.stdout).to.include('kill-mid-insert');
    expect(run.stdout).to.match(/^ {2}register +concurrent UPDATEs/m);
    expect(run.stdout).to.include('ack-before-write');
  });

  it('rejects an unknown workload and a workload named twice', async () => {
    await expectUsageError(['run', 'kill-mid-insert', '--workload', 'append,nope', '--out', tempDir()], /unknown workload "nope"; known workloads: append, conflict/);
    await expectUsageError(['run', 'kill-mid-insert', '--workload', 'delete,delete', '--out', tempDir()], /names a workload twice/);
    await expectUsageError(['run', 'corrupt-manifest', '--workload', 'register', '--out', tempDir()], /no append table/);
  });
});
