import { expect } from 'chai';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { decodeLog, encodeFrame, openWal } from '../../src/reference-server/wal.js';
import { useTempDir } from '../support/temp.js';

const RECORDS = [{ op: 'a', n: 1 }, { op: 'b', text: "it's ✓" }, { op: 'c', list: [1, 2, 3] }];

function logOf(records: readonly unknown[]): { bytes: Buffer; offsets: number[] } {
  const frames = records.map((record) => encodeFrame(record));
  const offsets: number[] = [];
  let offset = 0;
  for (const frame of frames) {
    offsets.push(offset);
    offset += frame.length;
  }
  return { bytes: Buffer.concat(frames), offsets };
}

describe('reference server WAL', function () {
  const tempDir = useTempDir('kalam-wal-test-');

  describe('frames', () => {
    it('encodes [u32 LE len][u32 LE crc32][JSON] and decodes it back', () => {
      const frame = encodeFrame(RECORDS[1]);
      const body = Buffer.from(JSON.stringify(RECORDS[1]), 'utf8');
      expect(frame.readUInt32LE(0)).to.equal(body.length);
      expect(frame.readUInt32LE(4)).to.equal(crc32(body));
      expect(frame.subarray(8).equals(body)).to.equal(true);

      const { bytes } = logOf(RECORDS);
      const decoded = decodeLog(bytes);
      expect(decoded.records).to.deep.equal(RECORDS);
      expect(decoded.validBytes).to.equal(bytes.length);
      expect(decoded.tail).to.equal(undefined);
    });

    it('decodes an empty log as no records and no tail', () => {
      const decoded = decodeLog(Buffer.alloc(0));
      expect(decoded.records).to.deep.equal([]);
      expect(decoded.validBytes).to.equal(0);
      expect(decoded.tail).to.equal(undefined);
    });
  });

  describe('torn tails', () => {
    const { bytes, offsets } = logOf(RECORDS);
    const lastStart = offsets[2]!;
    const cases: { name: string; bytes: Buffer; reason: RegExp }[] = [
      { name: 'truncated mid-payload', bytes: bytes.subarray(0, bytes.length - 3), reason: /incomplete frame payload/ },
      { name: 'truncated mid-header', bytes: bytes.subarray(0, lastStart + 5), reason: /incomplete frame header/ },
      {
        name: 'a flipped byte in the last frame payload',
        bytes: (() => {
          const copy = Buffer.from(bytes);
          copy[lastStart + 10] = copy[lastStart + 10]! ^ 0x01;
          return copy;
        })(),
        reason: /checksum mismatch/,
      },
    ];

    for (const testCase of cases) {
      it(`decodeLog keeps only whole frames: ${testCase.name}`, () => {
        const decoded = decodeLog(testCase.bytes);
        expect(decoded.records).to.deep.equal(RECORDS.slice(0, 2));
        expect(decoded.validBytes).to.equal(lastStart);
        expect(decoded.tail).to.not.equal(undefined);
        expect(decoded.tail!.offset).to.equal(lastStart);
        expect(decoded.tail!.bytes).to.equal(testCase.bytes.length - lastStart);
        expect(decoded.tail!.reason).to.match(testCase.reason);
      });
    }

    it('decodeLog keeps only whole frames: garbage appended after whole frames', () => {
      for (const garbage of [Buffer.from('garbage!!garbage'), Buffer.from([1, 2, 3]), Buffer.from([5, 0, 0, 0, 9, 9, 9, 9, 0x7b, 0x7d, 0x20, 0x20, 0x20])]) {
        const torn = Buffer.concat([bytes, garbage]);
        const decoded = decodeLog(torn);
        expect(decoded.records).to.deep.equal(RECORDS);
        expect(decoded.validBytes).to.equal(bytes.length);
        expect(decoded.tail).to.deep.include({ offset: bytes.length, bytes: garbage.length });
        expect(decoded.tail!.reason).to.be.a('string').and.not.equal('');
      }
    });

    for (const testCase of [...cases, { name: 'garbage appended', bytes: Buffer.concat([bytes, Buffer.from('garbage!!garbage')]), reason: /./ }]) {
      it(`openWal truncates the file to the last whole frame and appends after it: ${testCase.name}`, async () => {
        const path = join(tempDir(), 'wal.log');
        await writeFile(path, testCase.bytes);
        const isGarbage = testCase.name === 'garbage appended';
        const validBytes = isGarbage ? bytes.length : lastStart;
        const keep = isGarbage ? RECORDS : RECORDS.slice(0, 2);

        const first = await openWal(path);
        expect(first.records).to.deep.equal(keep);
        expect(first.droppedTail).to.not.equal(undefined);
        expect(first.droppedTail!.offset).to.equal(validBytes);
        expect((await stat(path)).size, 'file size after the torn tail is cut').to.equal(validBytes);

        await first.wal.append({ op: 'after-reopen', n: 1 });
        await first.wal.append({ op: 'after-reopen', n: 2 });
        await first.wal.close();

        const second = await openWal(path);
        try {
          expect(second.droppedTail).to.equal(undefined);
          expect(second.records).to.deep.equal([...keep, { op: 'after-reopen', n: 1 }, { op: 'after-reopen', n: 2 }]);
        } finally {
          await second.wal.close();
        }
        expect(decodeLog(await readFile(path)).tail).to.equal(undefined);
      });
    }

    it('openWal leaves an intact log untouched', async () => {
      const path = join(tempDir(), 'wal.log');
      await writeFile(path, bytes);
      const opened = await openWal(path);
      await opened.wal.close();
      expect(opened.records).to.deep.equal(RECORDS);
      expect(opened.droppedTail).to.equal(undefined);
      expect((await stat(path)).size).to.equal(bytes.length);
    });

    it('openWal creates a missing log', async () => {
      const path = join(tempDir(), 'wal.log');
      const opened = await openWal(path);
      await opened.wal.close();
      expect(opened.records).to.deep.equal([]);
      expect((await stat(path)).size).to.equal(0);
    });
  });

  describe('group commit', () => {
    it('200 concurrent appends: all durable, logged in afterDurable order, in fewer than 200 groups', async () => {
      const path = join(tempDir(), 'wal.log');
      const opened = await openWal(path);
      const callbackOrder: number[] = [];
      const callbackRanBeforeResolve: boolean[] = [];
      const appends = Array.from({ length: 200 }, (_, i) => {
        let called = false;
        return opened.wal
          .append({ op: 'put', i }, () => {
            called = true;
            callbackOrder.push(i);
          })
          .then(() => {
            callbackRanBeforeResolve[i] = called;
          });
      });
      await Promise.all(appends);
      const stats = opened.wal.stats();
      await opened.wal.close();

      expect(callbackOrder).to.have.length(200);
      expect(new Set(callbackOrder).size).to.equal(200);
      expect(callbackRanBeforeResolve.filter((ran) => ran === true)).to.have.length(200);
      expect(stats.frames).to.equal(200);
      expect(stats.groups).to.be.greaterThan(0);
      expect(stats.groups, 'appends were grouped into fewer fsyncs').to.be.lessThan(200);

      const reopened = await openWal(path);
      await reopened.wal.close();
      expect(reopened.droppedTail).to.equal(undefined);
      expect(reopened.records.map((record) => (record as { i: number }).i)).to.deep.equal(callbackOrder);
      expect((await stat(path)).size).to.equal(stats.bytes);
    });

    it('runs afterDurable before the append promise resolves, and appends made in a callback still drain', async () => {
      const path = join(tempDir(), 'wal.log');
      const opened = await openWal(path);
      const events: string[] = [];
      let nested: Promise<void> | undefined;
      const first = opened.wal.append({ n: 1 }, () => {
        events.push('durable 1');
        nested = opened.wal.append({ n: 2 }, () => events.push('durable 2')).then(() => {
          events.push('resolved 2');
        });
      });
      await first.then(() => events.push('resolved 1'));
      await nested;
      await opened.wal.close();
      expect(events.indexOf('durable 1')).to.be.lessThan(events.indexOf('resolved 1'));
      expect(events.indexOf('durable 2')).to.be.lessThan(events.indexOf('resolved 2'));
      expect(events).to.have.length(4);
      const reopened = await openWal(path);
      await reopened.wal.close();
      expect(reopened.records).to.deep.equal([{ n: 1 }, { n: 2 }]);
    });

    it('rejects appends after close', async () => {
      const opened = await openWal(join(tempDir(), 'wal.log'));
      await opened.wal.close();
      let error: unknown;
      await opened.wal.append({ n: 1 }).catch((caught: unknown) => (error = caught));
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(/closed/);
    });
  });
});
