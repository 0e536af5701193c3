import { expect } from 'chai';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimDataDir } from '../../src/run/data-dir.js';
import { markDataDir } from '../../src/run/data-dir-marker.js';
import { spawnSync } from 'node:child_process';
import { LOW_HEADROOM } from '../../src/util/open-files.js';
import { readFailureMessage, resourceProblem, ToolResourceError } from '../../src/util/tool-errors.js';
import { useTempDir } from '../support/temp.js';

describe('the tool\'s own failures', () => {
  it('finds a resource code in an error, its causes or its message, and nothing in a database\'s error', () => {
    const emfile = Object.assign(new Error('connect EMFILE 127.0.0.1:4000 - Local (undefined:undefined)'), { code: 'EMFILE' });
    expect(resourceProblem(emfile)).to.equal('EMFILE');
    expect(resourceProblem(new Error('restart failed', { cause: Object.assign(new Error('x'), { code: 'ENOSPC' }) }))).to.equal('ENOSPC');
    expect(resourceProblem(new Error('server was not ready: /health: connect ENFILE'))).to.equal('ENFILE');
    expect(resourceProblem(new Error('Table chaos.t1 not found'))).to.equal(undefined);
    expect(resourceProblem(new Error('Failed to open Parquet stream: invalid footer'))).to.equal(undefined);
    expect(resourceProblem(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).to.equal(undefined);
  });

  it('records a failed read as the database\'s, but throws one that failed for want of the tool\'s fds', () => {
    expect(readFailureMessage(new Error('Table chaos.t1 not found'), 'read-back of t1')).to.equal('Table chaos.t1 not found');
    expect(() => readFailureMessage(new Error('connect EMFILE 127.0.0.1:4000'), 'read-back of t1')).to.throw(ToolResourceError, /read-back of t1: connect EMFILE/);
  });
});

describe('the tool\'s open-file headroom', () => {
  /** openFiles() and openFileShortage() as seen by a node process started with this open-file limit. */
  function inChild(limit: number): { files: { open: number; softLimit: number }; shortage: string | null } {
    const script = "import('./src/util/open-files.ts').then((m) => console.log(JSON.stringify({ files: m.openFiles(), shortage: m.openFileShortage() ?? null })))";
    const child = spawnSync('prlimit', [`--nofile=${limit}:${limit}`, process.execPath, '--import', 'tsx', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).to.equal(0);
    return JSON.parse(child.stdout) as { files: { open: number; softLimit: number }; shortage: string | null };
  }

  before(function () {
    if (spawnSync('prlimit', ['--version']).status !== 0) {
      console.log('      skipped: prlimit (util-linux) is not installed');
      this.skip();
    }
  });

  it('names a shortage, as EMFILE, only when fewer than LOW_HEADROOM descriptors are left', () => {
    const roomy = inChild(4096);
    expect(roomy.files.softLimit).to.equal(4096);
    expect(roomy.files.open).to.be.within(3, 200);
    expect(roomy.shortage).to.equal(null);
    // A limit a few descriptors above what such a process holds leaves it short.
    const limit = roomy.files.open + LOW_HEADROOM / 2;
    const tight = inChild(limit);
    expect(tight.files.softLimit).to.equal(limit);
    expect(tight.shortage).to.match(new RegExp(`^EMFILE: the tool holds ${tight.files.open} of its ${limit} open files`));
  });
});

describe('claiming a data directory', () => {
  const tempDir = useTempDir();

  it('reuses an empty directory it marked, and refuses one holding an earlier run\'s data, naming that run', async () => {
    const dir = join(tempDir(), 'data');
    await claimDataDir(dir, false);
    expect(await claimDataDir(dir, false), 'a marked, empty directory is reused').to.equal(dir);
    await markDataDir(dir, { runDir: '/runs/earlier-run' });
    mkdirSync(join(dir, 'rocksdb'));
    writeFileSync(join(dir, 'rocksdb', 'CURRENT'), 'x');
    await claimDataDir(dir, false).then(
      () => expect.fail('a directory holding an earlier campaign\'s data was taken'),
      (error: Error) => expect(error.message).to.match(/holds the data of run \/runs\/earlier-run: a campaign checks the server against its own ledger/),
    );
    expect(readdirSync(dir).sort()).to.deep.equal(['.kalam-chaos-data.json', 'rocksdb']);
  });
});
