import { expect } from 'chai';
import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { stageSnapshot } from '../../src/report/snapshot.js';
import { useTempDir } from '../support/temp.js';

describe('crash snapshots', () => {
  const tempDir = useTempDir('kalam-snapshot-test-');

  async function dataDirWithFiles(): Promise<string> {
    const dataDir = join(tempDir(), 'data');
    await mkdir(join(dataDir, 'rocksdb'), { recursive: true });
    await writeFile(join(dataDir, 'rocksdb', 'wal.log'), 'record 1\nrecord 2\n');
    await writeFile(join(dataDir, 'manifest.json'), '{"version":3}');
    return dataDir;
  }

  it('hold the data directory as it was when staged, though it changes before the compression', async () => {
    const dataDir = await dataDirWithFiles();
    const dest = join(tempDir(), 'snapshots', 'cycle-1.tar.gz');
    const staged = await stageSnapshot(dataDir, dest, 1024 * 1024);
    // What a restarted server does to the directory: appends to the log in place, replaces and removes files.
    await appendFile(join(dataDir, 'rocksdb', 'wal.log'), 'record 3 written by the next incarnation\n');
    await rm(join(dataDir, 'manifest.json'));
    await writeFile(join(dataDir, 'new-segment.parquet'), 'later');

    const outcome = await staged.pack();
    expect(outcome).to.deep.equal({ taken: true, path: dest, dataBytes: 'record 1\nrecord 2\n'.length + '{"version":3}'.length });
    const unpacked = join(tempDir(), 'unpacked');
    await mkdir(unpacked);
    await execa('tar', ['-xzf', dest, '-C', unpacked]);
    expect(await readFile(join(unpacked, 'rocksdb', 'wal.log'), 'utf8')).to.equal('record 1\nrecord 2\n');
    expect(await readFile(join(unpacked, 'manifest.json'), 'utf8')).to.equal('{"version":3}');
    expect((await readdir(unpacked)).sort()).to.deep.equal(['manifest.json', 'rocksdb']);
    expect(await readdir(join(tempDir(), 'snapshots')), 'the uncompressed stage is gone').to.deep.equal(['cycle-1.tar.gz']);
  });

  it('compress once, however often pack() is asked', async () => {
    const staged = await stageSnapshot(await dataDirWithFiles(), join(tempDir(), 'snapshots', 'cycle-1.tar.gz'), 1024 * 1024);
    const [first, second] = await Promise.all([staged.pack(), staged.pack()]);
    expect(first.taken).to.equal(true);
    expect(second).to.equal(first);
  });

  it('are skipped above the cap, without writing anything', async () => {
    const staged = await stageSnapshot(await dataDirWithFiles(), join(tempDir(), 'snapshots', 'cycle-1.tar.gz'), 10);
    expect(await staged.pack()).to.deep.equal({ taken: false, reason: 'data directory holds 31 bytes, over the 10-byte cap' });
    expect(await readdir(tempDir())).to.deep.equal(['data']);
  });

  it('are dropped, leaving no file, when the run is interrupted before the compression', async () => {
    const interrupt = new AbortController();
    const staged = await stageSnapshot(await dataDirWithFiles(), join(tempDir(), 'snapshots', 'cycle-1.tar.gz'), 1024 * 1024, interrupt.signal);
    interrupt.abort('SIGINT');
    expect(await staged.pack()).to.deep.equal({ taken: false, reason: 'the run was interrupted before the snapshot was compressed' });
    expect(await readdir(join(tempDir(), 'snapshots'))).to.deep.equal([]);
  });
});
