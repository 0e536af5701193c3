import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFirstBoot, firstBootFinding } from '../../src/power-loss/first-boot.js';
import { detectPowerLoss, isMounted, startLossLayer, type LossLayer } from '../../src/power-loss/lossfs.js';
import { useTempDir } from '../support/temp.js';

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

describe('power loss: the settle (a journal commit of everything written so far)', function () {
  this.timeout(60_000);
  let python = '';

  before(async function () {
    this.timeout(60_000);
    const availability = await detectPowerLoss();
    if (!availability.available) {
      if (process.env.CI === 'true') throw new Error(`CI needs lossfs: ${availability.reason}`);
      console.log(`      lossfs unavailable, skipping: ${availability.reason}`);
      this.skip();
    }
    python = availability.python;
  });

  const layers: LossLayer[] = [];
  afterEach(async function () {
    for (const layer of layers.splice(0)) {
      await layer.stop();
      expect(isMounted(layer.mount), `${layer.mount} still mounted after the test`).to.equal(false);
    }
  });
  const temp = useTempDir('kalam-chaos-settle-');

  async function mountLayer(): Promise<{ B: string; M: string; layer: LossLayer }> {
    const B = join(temp(), 'backing');
    const M = join(temp(), 'mnt');
    await mkdir(B);
    await mkdir(M);
    const layer = await startLossLayer({ backing: B, mount: M, report: join(temp(), 'cut.json'), python });
    layers.push(layer);
    return { B, M, layer };
  }

  it('reports what a cut would have lost at that moment: new folders and files never fsync\'d, unsynced contents', async () => {
    const { M, layer } = await mountLayer();
    await mkdir(join(M, 'rocksdb', 'wal'), { recursive: true });
    await writeFile(join(M, 'rocksdb', 'CURRENT'), 'MANIFEST-000001\n');
    await writeFile(join(M, 'rocksdb', 'wal', '000003.log'), 'x'.repeat(300));
    await writeFile(join(M, 'server.lock'), '4242');
    await fsyncPath(join(M, 'server.lock')); // contents durable; its name is not (the root was never fsync'd)
    const report = await layer.settle();
    expect(report.settle).to.equal(1);
    expect(report.atRisk).to.deep.equal([
      { path: '/rocksdb', kind: 'dir', entriesInside: 3 },
      { path: '/server.lock', kind: 'file', entriesInside: 0 },
    ]);
    expect(report.files).to.deep.equal([
      { path: '/rocksdb/CURRENT', syncedSize: 0, size: 16, unsyncedBytes: 16 },
      { path: '/rocksdb/wal/000003.log', syncedSize: 0, size: 300, unsyncedBytes: 300 },
    ]);
    const finding = firstBootFinding(report);
    expect(finding.wouldLoseData).to.equal(true);
    expect(finding.entryOperationsNotDurable).to.equal(report.entries.length).and.to.be.at.least(5);
    expect(describeFirstBoot(finding)).to.include('/rocksdb/ (3 inside)').and.include('2 file(s) with 316 byte(s)');
  });

  it('reports nothing when every file and every directory that gained a name was fsync\'d', async () => {
    const { M, layer } = await mountLayer();
    await mkdir(join(M, 'd'));
    await fsyncPath(M);
    await writeFile(join(M, 'd', 'f'), 'durable');
    await fsyncPath(join(M, 'd', 'f'));
    await fsyncPath(join(M, 'd'));
    const finding = firstBootFinding(await layer.settle());
    expect(finding).to.deep.equal({ wouldLoseData: false, namesNotDurable: [], filesNotSynced: [], entryOperationsNotDurable: 0 });
    expect(describeFirstBoot(finding)).to.match(/lose nothing/);
  });

  it('makes everything before it survive a cut, and leaves later changes as losable as ever', async () => {
    const { B, M, layer } = await mountLayer();
    await mkdir(join(M, 'db'));
    await writeFile(join(M, 'db', 'log'), 'before-settle;');
    await writeFile(join(M, 'db', 'old'), 'to be unlinked');
    await layer.settle();
    // after the settle, none of this is fsync'd
    await appendFile(join(M, 'db', 'log'), 'after-settle;');
    await writeFile(join(M, 'db', 'new'), 'new file');
    await mkdir(join(M, 'db', 'newdir'));
    await unlink(join(M, 'db', 'old'));
    const second = await layer.settle();
    expect(second.settle).to.equal(2);
    expect(second.atRisk.map((name) => name.path)).to.deep.equal(['/db/new', '/db/newdir']);
    expect(second.files.map((file) => file.path)).to.deep.equal(['/db/log', '/db/new']);
    // the second settle made those durable too: change again, then cut
    await appendFile(join(M, 'db', 'log'), 'lost;');
    await writeFile(join(M, 'db', 'lost'), 'never durable');
    await unlink(join(M, 'db', 'new'));
    const cut = await layer.cut();
    expect(cut.problems).to.deep.equal([]);
    expect(await readFile(join(B, 'db', 'log'), 'utf8')).to.equal('before-settle;after-settle;');
    expect(existsSync(join(B, 'db', 'lost')), 'created after the last settle').to.equal(false);
    expect(await readFile(join(B, 'db', 'new'), 'utf8'), 'unlinked after the last settle: restored').to.equal('new file');
    expect(existsSync(join(B, 'db', 'old')), 'unlinked before the settle: stays gone').to.equal(false);
    expect((await stat(join(B, 'db', 'newdir'))).isDirectory()).to.equal(true);
  });

  it('refuses to settle once the power is cut', async () => {
    const { layer } = await mountLayer();
    await layer.cut();
    const error = await layer.settle().catch((caught: Error) => caught);
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.match(/no longer running/);
  });
});
