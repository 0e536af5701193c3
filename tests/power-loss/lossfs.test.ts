import { expect } from 'chai';
import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { detectPowerLoss, isMounted, startLossLayer, type LossLayer, type LossMode, type PowerCutReport } from '../../src/power-loss/lossfs.js';
import { idsOf, SERVER_MAIN, useReferenceServers, type RunningServer } from '../support/reference-server.js';
import { useTempDir } from '../support/temp.js';

/** Writes `data` to `path` (created or truncated) and fsyncs the file, not its directory. */
async function writeSynced(path: string, data: string | Buffer): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Appends without any fsync. */
async function appendUnsynced(path: string, data: string | Buffer): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.write(typeof data === 'string' ? Buffer.from(data) : data);
  } finally {
    await handle.close();
  }
}

/** open(dir, 'r') + fsync, as Node programs (and the reference server) make a directory durable. */
async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

describe('power loss: lossfs, a FUSE layer that simulates a power cut', function () {
  this.timeout(120_000);
  let python = '';

  before(async function () {
    this.timeout(60_000);
    const availability = await detectPowerLoss();
    if (!availability.available) {
      console.log(`      lossfs unavailable, skipping: ${availability.reason}`);
      this.skip();
    }
    python = availability.python;
  });

  // Hooks run in registration order: servers die first, then the layer stops, then the temp dir goes.
  const servers = useReferenceServers();
  const layers: LossLayer[] = [];
  afterEach(async function () {
    for (const layer of layers.splice(0)) {
      await layer.stop();
      expect(isMounted(layer.mount), `${layer.mount} still mounted after the test`).to.equal(false);
    }
  });
  const temp = useTempDir('kalam-chaos-lossfs-');

  async function mountLayer(loss: LossMode = 'unsynced', seed = 1): Promise<{ B: string; M: string; layer: LossLayer }> {
    const B = join(temp(), 'backing');
    const M = join(temp(), 'mnt');
    await mkdir(B);
    await mkdir(M);
    const layer = await startLossLayer({ backing: B, mount: M, report: join(temp(), 'report.json'), loss, seed, python });
    layers.push(layer);
    return { B, M, layer };
  }

  it('keeps a file that was fsynced and whose directory was fsynced', async function () {
    const { B, M, layer } = await mountLayer();
    await writeSynced(join(M, 'kept'), 'durable bytes');
    await syncDir(M);
    const report = await layer.cut();
    expect(isMounted(M)).to.equal(false);
    expect(await readFile(join(B, 'kept'), 'utf8')).to.equal('durable bytes');
    expect(report.entries).to.deep.equal([]);
    expect(report.files).to.deep.equal([]);
    expect(report.problems).to.deep.equal([]);
    expect(report.ops.fsync).to.be.at.least(1);
    expect(report.ops.fsyncdir).to.be.at.least(1);
  });

  it('loses a file that was never fsynced, in a directory never fsynced after its creation', async function () {
    const { B, M, layer } = await mountLayer();
    await writeFile(join(M, 'volatile'), 'never synced');
    expect(await readFile(join(B, 'volatile'), 'utf8'), 'passthrough before the cut').to.equal('never synced');
    const report = await layer.cut();
    expect(existsSync(join(B, 'volatile'))).to.equal(false);
    expect(report.entries).to.deep.include({ op: 'create', path: '/volatile', undone: true });
  });

  it('cuts an unsynced append back to the synced size and bytes', async function () {
    const { B, M, layer } = await mountLayer();
    const original = Buffer.from('0123456789'.repeat(7));
    await writeSynced(join(M, 'log'), original);
    await syncDir(M);
    await appendUnsynced(join(M, 'log'), Buffer.alloc(100, 0x78));
    expect((await stat(join(B, 'log'))).size).to.equal(170);
    const report = await layer.cut();
    expect(await readFile(join(B, 'log'))).to.deep.equal(original);
    const file = report.files.find((f) => f.path === '/log');
    expect(file).to.include({ syncedSize: 70, sizeBeforeCut: 170, sizeAfterCut: 70, droppedBytes: 100 });
  });

  it('undoes an unsynced in-place overwrite and truncation of a synced file', async function () {
    const { B, M, layer } = await mountLayer();
    await writeSynced(join(M, 'data'), 'abcdefghijklmnopqrstuvwxyz');
    await syncDir(M);
    const handle = await open(join(M, 'data'), 'r+');
    await handle.write('XYZ', 5);
    await handle.truncate(10);
    await handle.write('tail', 20);
    await handle.close();
    await layer.cut();
    expect(await readFile(join(B, 'data'), 'utf8')).to.equal('abcdefghijklmnopqrstuvwxyz');
  });

  it('loses a file that was fsynced when its directory was not', async function () {
    const { B, M, layer } = await mountLayer();
    await writeSynced(join(M, 'orphan'), 'synced data, unsynced name');
    const report = await layer.cut();
    expect(existsSync(join(B, 'orphan'))).to.equal(false);
    expect(report.entries.map((e) => `${e.op} ${e.path}`)).to.deep.equal(['create /orphan']);
  });

  it('loses a whole new subdirectory whose parent was never fsynced, even though the subdirectory was', async function () {
    const { B, M, layer } = await mountLayer();
    await mkdir(join(M, 'sub'));
    await writeSynced(join(M, 'sub', 'f'), 'inside');
    await syncDir(join(M, 'sub'));
    await layer.cut();
    expect(existsSync(join(B, 'sub'))).to.equal(false);
  });

  describe('rename over an existing file', function () {
    async function prepare(M: string): Promise<void> {
      await writeSynced(join(M, 'a'), 'old content');
      await writeSynced(join(M, 'a.tmp'), 'new content');
      await syncDir(M);
      await rename(join(M, 'a.tmp'), join(M, 'a'));
    }

    it('is undone when the directory is not fsynced afterwards: the old file and a.tmp are back', async function () {
      const { B, M, layer } = await mountLayer();
      await prepare(M);
      expect(await readFile(join(B, 'a'), 'utf8'), 'passthrough before the cut').to.equal('new content');
      const report = await layer.cut();
      expect(await readFile(join(B, 'a'), 'utf8')).to.equal('old content');
      expect(await readFile(join(B, 'a.tmp'), 'utf8')).to.equal('new content');
      expect(report.entries).to.deep.equal([{ op: 'rename', path: '/a.tmp', to: '/a', replaced: true, undone: true }]);
      expect(report.problems).to.deep.equal([]);
    });

    it('survives when the directory is fsynced after the rename', async function () {
      const { B, M, layer } = await mountLayer();
      await prepare(M);
      await syncDir(M);
      const report = await layer.cut();
      expect(await readFile(join(B, 'a'), 'utf8')).to.equal('new content');
      expect(existsSync(join(B, 'a.tmp'))).to.equal(false);
      expect(report.entries).to.deep.equal([]);
    });
  });

  it('restores a synced file that was unlinked without a directory fsync, and keeps the trash out of B', async function () {
    const { B, M, layer } = await mountLayer();
    await writeSynced(join(M, 'victim'), 'still here');
    await syncDir(M);
    await unlink(join(M, 'victim'));
    expect(existsSync(join(B, 'victim'))).to.equal(false);
    expect(await readdir(B)).to.deep.equal([]);
    const report = await layer.cut();
    expect(await readFile(join(B, 'victim'), 'utf8')).to.equal('still here');
    expect(report.entries).to.deep.equal([{ op: 'unlink', path: '/victim', undone: true }]);
    expect((await readdir(temp())).filter((name) => name.startsWith('.lossfs-trash'))).to.deep.equal([]);
  });

  it('a stop without a cut keeps everything, synced or not, and unmounts', async function () {
    const { B, M, layer } = await mountLayer();
    await writeFile(join(M, 'unsynced'), 'kernel had it');
    await layer.stop();
    expect(isMounted(M)).to.equal(false);
    expect(await readFile(join(B, 'unsynced'), 'utf8')).to.equal('kernel had it');
  });

  // torn: every unsynced modification is undone, then bytes [0, k) of the file's LAST unsynced
  // write are put back at that write's offset, k = random.Random(seed).randint(1, n - 1) for a write
  // of n bytes (files in sorted path order). Bytes between the synced size and that offset that no
  // kept write covers read as zeros: here, the whole first append.
  it('torn: keeps exactly a seeded prefix of the last unsynced write, with a zero hole for the earlier one', async function () {
    const seed = 424242;
    const { B, M, layer } = await mountLayer('torn', seed);
    const synced = Buffer.alloc(50, 0x53); // 'S'
    await writeSynced(join(M, 'wal'), synced);
    await syncDir(M);
    await appendUnsynced(join(M, 'wal'), Buffer.alloc(100, 0x41)); // 'A'
    await appendUnsynced(join(M, 'wal'), Buffer.alloc(100, 0x42)); // 'B'
    const report = await layer.cut();

    const expectedK = Number((await execa(python, ['-c', `import random; print(random.Random(${seed}).randint(1, 99))`])).stdout.trim());
    const file = report.files.find((f) => f.path === '/wal');
    expect(file).to.include({ syncedSize: 50, sizeBeforeCut: 250, tornOffset: 150, tornKept: expectedK, tornWriteLength: 100, tornAt: 150 + expectedK });
    const bytes = await readFile(join(B, 'wal'));
    expect(bytes.length).to.equal(150 + expectedK);
    expect(bytes.subarray(0, 50)).to.deep.equal(synced);
    expect(bytes.subarray(50, 150)).to.deep.equal(Buffer.alloc(100, 0));
    expect(bytes.subarray(150)).to.deep.equal(Buffer.alloc(expectedK, 0x42));
    expect(file?.droppedBytes).to.equal(200 - expectedK);
  });

  describe('the reference server on the mount', function () {
    const NAMESPACE = 'CREATE NAMESPACE IF NOT EXISTS chaos';
    const tableSql = (flushRows: number) =>
      `CREATE TABLE IF NOT EXISTS chaos.events (id BIGINT PRIMARY KEY, payload TEXT NOT NULL) WITH (TYPE='SHARED', FLUSH_POLICY='rows:${flushRows}')`;

    before(function () {
      if (!existsSync(SERVER_MAIN)) {
        console.log(`      ${SERVER_MAIN} missing (npm run build), skipping`);
        this.skip();
      }
    });

    async function insertRows(server: RunningServer, from: number, count: number): Promise<{ acked: number[]; perSecond: number }> {
      const acked: number[] = [];
      const started = process.hrtime.bigint();
      for (let id = from; id < from + count; id++) {
        await server.query(`INSERT INTO chaos.events (id, payload) VALUES (${id}, 'row-${id}')`);
        acked.push(id);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { acked, perSecond: count / seconds };
    }

    /** SIGKILL the server, cut the power, restart on B directly; returns the ids found and the cut report. */
    async function crashCutRestart(server: RunningServer, layer: LossLayer, B: string): Promise<{ ids: number[]; report: PowerCutReport; after: RunningServer }> {
      server.kill('SIGKILL');
      await server.waitExit(10_000);
      const report = await layer.cut();
      expect(report.problems).to.deep.equal([]);
      const after = await servers.start({ dataDir: B });
      const result = await after.sql('SELECT id FROM chaos.events ORDER BY id LIMIT 100000');
      const ids = result.status === 200 && result.body?.status === 'success' ? idsOf(result.body.results!.at(-1)!) : [];
      return { ids, report, after };
    }

    /** The data dir as an installer would leave it: these dirs exist and every parent was fsynced. */
    async function durableSkeleton(M: string, dirs: string[]): Promise<void> {
      for (const dir of dirs) {
        await mkdir(join(M, dir));
        await syncDir(join(M, dir));
        await syncDir(join(M, dir, '..'));
      }
    }

    const describeUndone = (report: PowerCutReport) => report.entries.map((e) => `${e.op} ${e.path}`).join(', ') || 'none';

    it('keeps every acknowledged row (WAL only) across SIGKILL + power cut when the data dir skeleton is durable', async function () {
      const { B, M, layer } = await mountLayer();
      // The server mkdirs rocksdb/ and storage/ itself but never fsyncs the data dir (finding below).
      await durableSkeleton(M, ['rocksdb', 'storage']);
      const server = await servers.start({ dataDir: M });
      await server.query(NAMESPACE);
      await server.query(tableSql(999_999));
      const { acked, perSecond: mounted } = await insertRows(server, 1, 200);
      const { ids, report, after } = await crashCutRestart(server, layer, B);
      const { perSecond: direct } = await insertRows(after, 1000, 200);
      console.log(
        `      single-row inserts/s through lossfs ${mounted.toFixed(0)} vs directly on the backing dir ${direct.toFixed(0)}; ` +
          `cut undid: ${describeUndone(report)}; ${report.files.filter((f) => f.droppedBytes > 0).length} files lost bytes`,
      );
      expect(ids).to.deep.equal(acked);
    });

    it('keeps every acknowledged row through cold-tier flushes when the table dir itself is durable', async function () {
      const { B, M, layer } = await mountLayer();
      await durableSkeleton(M, ['rocksdb', 'storage', 'storage/chaos', 'storage/chaos/events']);
      const server = await servers.start({ dataDir: M });
      await server.query(NAMESPACE);
      await server.query(tableSql(40));
      const { acked } = await insertRows(server, 1, 150);
      const { ids, report } = await crashCutRestart(server, layer, B);
      expect(readdirNames(join(B, 'storage', 'chaos', 'events')).filter((n) => n.endsWith('.parquet')).length, 'flushed segments').to.be.greaterThan(0);
      console.log(`      with flushes: cut undid: ${describeUndone(report)}`);
      expect(ids).to.deep.equal(acked);
    });

    // Found by lossfs: the server used to mkdir storage/<ns>/<table> without fsyncing the parents,
    // so a power cut took the flushed segments with it. ensureDurableDir fixed it.
    it('keeps the flushed rows when a flush creates the table dir itself (parents fsynced)', async function () {
      const { B, M, layer } = await mountLayer();
      await durableSkeleton(M, ['rocksdb', 'storage']);
      const server = await servers.start({ dataDir: M });
      await server.query(NAMESPACE);
      await server.query(tableSql(40));
      const { acked } = await insertRows(server, 1, 150);
      const { ids, report } = await crashCutRestart(server, layer, B);
      const undone = report.entries.map((e) => `${e.op} ${e.path}`);
      expect(undone, 'nothing the flush created was lost').to.not.include('mkdir /storage/chaos');
      expect(ids).to.deep.equal(acked);
    });

    // Found by lossfs: on a fresh data dir the server used to mkdir rocksdb/ without fsyncing the data dir.
    it('keeps every row on a fresh data dir (the data dir is fsynced after mkdir rocksdb/)', async function () {
      const { B, M, layer } = await mountLayer();
      const server = await servers.start({ dataDir: M });
      await server.query(NAMESPACE);
      await server.query(tableSql(999_999));
      const { acked } = await insertRows(server, 1, 20);
      const { ids, report } = await crashCutRestart(server, layer, B);
      const undone = report.entries.map((e) => `${e.op} ${e.path}`);
      expect(undone).to.not.include('mkdir /rocksdb');
      expect(ids).to.deep.equal(acked);
    });
  });
});

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
