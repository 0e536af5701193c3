import { expect } from 'chai';
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { useTempDir } from '../support/temp.js';
import {
  WatchDeadlineExceeded,
  createFlushEventTracker,
  watchFlushFiles,
  watchWalWrites,
  type FlushFileEvent,
  type FlushFileWatch,
} from '../../src/nemesis/storage-watch.js';

/** One flush of a scope, the way the server writes it, waiting for each step to be seen. */
async function flushOnce(watch: FlushFileWatch, scope: string, n: number): Promise<FlushFileEvent[]> {
  const seen: FlushFileEvent[] = [];
  const tmp = watch.next('tmp-appeared', { deadlineMs: 5_000 });
  mkdirSync(scope, { recursive: true });
  writeFileSync(join(scope, `batch-${n}.parquet.tmp`), 'rows');
  seen.push(await tmp);
  const segment = watch.next('segment-appeared', { deadlineMs: 5_000 });
  renameSync(join(scope, `batch-${n}.parquet.tmp`), join(scope, `batch-${n}.parquet`));
  seen.push(await segment);
  const manifest = watch.next('manifest-replaced', { deadlineMs: 5_000 });
  writeFileSync(join(scope, 'manifest.json.tmp'), JSON.stringify({ segments: [{ id: n, path: `batch-${n}.parquet` }] }));
  renameSync(join(scope, 'manifest.json.tmp'), join(scope, 'manifest.json'));
  seen.push(await manifest);
  return seen;
}

describe('storage watch', () => {
  const temp = useTempDir();

  it('sees tmp, segment and manifest in order in a nested folder created after the watch started', async () => {
    const storage = temp();
    const watch = watchFlushFiles(storage);
    try {
      const scope = join(storage, 'chaos', 't', 'user-1');
      const seen = await flushOnce(watch, scope, 1);
      expect(seen.map((e) => [e.kind, e.path])).to.deep.equal([
        ['tmp-appeared', join('chaos', 't', 'user-1', 'batch-1.parquet.tmp')],
        ['segment-appeared', join('chaos', 't', 'user-1', 'batch-1.parquet')],
        ['manifest-replaced', join('chaos', 't', 'user-1', 'manifest.json')],
      ]);
      expect(seen[0]!.atMs).to.be.at.most(seen[1]!.atMs);
      expect(seen[1]!.atMs).to.be.at.most(seen[2]!.atMs);
    } finally {
      watch.close();
    }
  });

  it('keeps seeing every flush of the same scope (manifest replaced again and again)', async () => {
    // Node 20's recursive fs.watch on Linux loses the third replacement of manifest.json.
    const storage = temp();
    const watch = watchFlushFiles(storage);
    try {
      const scope = join(storage, 'chaos', 'shared_t');
      for (let n = 1; n <= 4; n++) {
        const seen = await flushOnce(watch, scope, n);
        expect(seen.map((e) => e.kind)).to.deep.equal(['tmp-appeared', 'segment-appeared', 'manifest-replaced']);
      }
      expect(watch.events().filter((e) => e.kind === 'manifest-replaced')).to.have.length(4);
    } finally {
      watch.close();
    }
  });

  it('counts a .tmp that was renamed away before it was looked at, once', async () => {
    const storage = temp();
    const scope = join(storage, 'ns', 't');
    mkdirSync(scope, { recursive: true });
    const watch = watchFlushFiles(storage);
    try {
      const segment = watch.next('segment-appeared', { deadlineMs: 5_000 });
      writeFileSync(join(scope, 'batch-7.parquet.tmp'), 'rows');
      renameSync(join(scope, 'batch-7.parquet.tmp'), join(scope, 'batch-7.parquet'));
      await segment;
      // A marker after the flush, so every earlier event has been delivered.
      const marker = watch.next('manifest-replaced', { deadlineMs: 5_000 });
      writeFileSync(join(scope, 'manifest.json'), '{}');
      await marker;
      expect(watch.events().map((e) => e.kind)).to.deep.equal(['tmp-appeared', 'segment-appeared', 'manifest-replaced']);
    } finally {
      watch.close();
    }
  });

  it('does not report a deleted segment or files that were there before the watch', async () => {
    const storage = temp();
    const scope = join(storage, 'ns', 't');
    mkdirSync(scope, { recursive: true });
    writeFileSync(join(scope, 'batch-1.parquet'), 'old');
    writeFileSync(join(scope, 'batch-2.parquet.tmp'), 'leftover');
    const watch = watchFlushFiles(storage);
    try {
      rmSync(join(scope, 'batch-1.parquet'));
      rmSync(join(scope, 'batch-2.parquet.tmp'));
      const marker = watch.next('manifest-replaced', { deadlineMs: 5_000 });
      writeFileSync(join(scope, 'manifest.json'), '{}');
      await marker;
      expect(watch.events().map((e) => e.kind)).to.deep.equal(['manifest-replaced']);
    } finally {
      watch.close();
    }
  });

  it('runs an onceSync callback inside the watch listener, once, before next() resolves', async () => {
    const storage = temp();
    const watch = watchFlushFiles(storage);
    try {
      const calls: string[] = [];
      watch.onceSync('segment-appeared', (event) => calls.push(`sync ${event.path}`));
      const disarmed = watch.onceSync('segment-appeared', () => calls.push('disarmed'));
      disarmed();
      const first = watch.next('segment-appeared', { deadlineMs: 5_000 }).then((e) => calls.push(`next ${e.path}`));
      mkdirSync(join(storage, 'a'));
      writeFileSync(join(storage, 'a', 'batch-1.parquet'), 'x');
      await first;
      const second = watch.next('segment-appeared', { deadlineMs: 5_000 });
      writeFileSync(join(storage, 'a', 'batch-2.parquet'), 'x');
      await second;
      expect(calls).to.deep.equal([`sync ${join('a', 'batch-1.parquet')}`, `next ${join('a', 'batch-1.parquet')}`]);
    } finally {
      watch.close();
    }
  });

  // Latency itself is measured by `npm run bench`, never asserted here.
  it('reports one event per segment written, in order, with its timestamp', async () => {
    const storage = temp();
    mkdirSync(join(storage, 's'));
    const watch = watchFlushFiles(storage);
    try {
      const seen: string[] = [];
      for (let i = 0; i < 20; i++) {
        const next = watch.next('segment-appeared', { deadlineMs: 5_000 });
        const start = performance.now();
        writeFileSync(join(storage, 's', `batch-${i}.parquet`), '');
        const event = await next;
        expect(event.atMs).to.be.at.least(start);
        seen.push(event.path);
      }
      expect(seen).to.deep.equal(Array.from({ length: 20 }, (_, i) => join('s', `batch-${i}.parquet`)));
    } finally {
      watch.close();
    }
  });

  it('rejects next() at its deadline, on abort and on close', async () => {
    const watch = watchFlushFiles(temp());
    try {
      const timedOut = await watch.next('tmp-appeared', { deadlineMs: 20 }).then(() => undefined, (e: unknown) => e);
      expect(timedOut).to.be.instanceOf(WatchDeadlineExceeded);
      const controller = new AbortController();
      const aborted = watch.next('tmp-appeared', { deadlineMs: 5_000, signal: controller.signal }).then(() => undefined, (e: unknown) => e);
      controller.abort(new Error('stop'));
      expect(((await aborted) as Error).message).to.equal('stop');
      const pending = watch.next('tmp-appeared', { deadlineMs: 5_000 }).then(() => undefined, (e: unknown) => e);
      watch.close();
      expect(((await pending) as Error).message).to.match(/closed/);
      expect(await watch.next('tmp-appeared', { deadlineMs: 5_000 }).then(() => 'resolved', () => 'rejected')).to.equal('rejected');
    } finally {
      watch.close();
    }
  });

  it('watchWalWrites fires on the first write after being armed', async () => {
    const rocksdb = temp();
    writeFileSync(join(rocksdb, 'wal.log'), 'a');
    const wal = watchWalWrites(rocksdb);
    try {
      let synced: string | undefined;
      wal.onceSync((event) => (synced = event.path));
      const next = wal.next({ deadlineMs: 5_000 });
      appendFileSync(join(rocksdb, 'wal.log'), 'delete rows');
      const event = await next;
      expect(event.kind).to.equal('wal-write');
      expect(event.path).to.equal('wal.log');
      expect(synced).to.equal('wal.log');
    } finally {
      wal.close();
    }
  });
});

describe('flush event tracker', () => {
  it('turns raw rename events into appearances, ignoring removals', () => {
    const files = new Set<string>();
    const track = createFlushEventTracker(['s/batch-0.parquet']);
    const event = (type: string, path: string) => track(type, path, () => files.has(path));
    files.add('s/batch-1.parquet.tmp');
    expect(event('rename', 's/batch-1.parquet.tmp')).to.equal('tmp-appeared');
    expect(event('change', 's/batch-1.parquet.tmp')).to.equal(undefined);
    files.delete('s/batch-1.parquet.tmp');
    files.add('s/batch-1.parquet');
    expect(event('rename', 's/batch-1.parquet.tmp')).to.equal(undefined); // renamed away
    expect(event('rename', 's/batch-1.parquet')).to.equal('segment-appeared');
    expect(event('rename', 's/batch-1.parquet')).to.equal(undefined); // duplicate notice
    // created and renamed before it was looked at: still appeared, and its removal is not counted again
    expect(event('rename', 's/batch-2.parquet.tmp')).to.equal('tmp-appeared');
    expect(event('rename', 's/batch-2.parquet.tmp')).to.equal(undefined);
    // the segment known at start, deleted
    expect(event('rename', 's/batch-0.parquet')).to.equal(undefined);
    files.add('s/manifest.json');
    expect(event('rename', 's/manifest.json')).to.equal('manifest-replaced');
    expect(event('rename', 's/manifest.json')).to.equal('manifest-replaced');
    expect(event('rename', 's/manifest.json.tmp')).to.equal(undefined);
    expect(event('rename', 's/other.txt')).to.equal(undefined);
  });
});
