import { expect } from 'chai';
import { hasPyarrow, pythonForInterop } from '../support/python.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { encodeSegment, encodeSegmentRows, type SegmentColumn } from '../../src/parquet/segment-writer.js';
import { ParquetCorruptError, readParquetFooter, readParquetRows } from '../../src/parquet/segment-reader.js';

const ROWS = 1000;

function makeColumns(n: number): SegmentColumn[] {
  const id: bigint[] = [];
  const payload: (string | null)[] = [];
  const writer: number[] = [];
  const seq: bigint[] = [];
  const deleted: boolean[] = [];
  for (let i = 0; i < n; i++) {
    id.push(BigInt(i) * 1_000_003n + 9_007_199_254_740_993n); // beyond Number.MAX_SAFE_INTEGER
    payload.push(i % 97 === 0 ? null : `row-${i}-${'x'.repeat(i % 17)}-ü€`);
    writer.push((i % 7) - 3);
    seq.push(BigInt(n - i));
    deleted.push(i % 5 === 0);
  }
  return [
    { name: 'id', type: 'INT64', values: id },
    { name: 'payload', type: 'UTF8', values: payload },
    { name: 'writer', type: 'INT32', values: writer },
    { name: '_seq', type: 'INT64', values: seq },
    { name: '_deleted', type: 'BOOLEAN', values: deleted },
  ];
}

/** Assert that `p` rejects with an Error and return it. */
async function rejectsWithError(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(Error);
    return e as Error;
  }
  expect.fail('expected the promise to reject');
}

const PYTHON = pythonForInterop();
function runPython(script: string, args: string[]): string {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe('parquet segments (ZSTD)', () => {
  let columns: SegmentColumn[];
  let bytes: Uint8Array;

  before(async () => {
    columns = makeColumns(ROWS);
    bytes = await encodeSegment(columns, ROWS);
  });

  it('writes a real parquet file (PAR1 magic at both ends)', () => {
    const magic = new TextDecoder().decode(bytes.subarray(0, 4));
    const trailer = new TextDecoder().decode(bytes.subarray(bytes.length - 4));
    expect(magic).to.equal('PAR1');
    expect(trailer).to.equal('PAR1');
  });

  it('footer row count equals the row count and columns/types are as written', async () => {
    const footer = await readParquetFooter(bytes);
    expect(footer.rowCount).to.equal(ROWS);
    expect(footer.columns.map((c) => [c.name, c.type])).to.deep.equal([
      ['id', 'INT64'],
      ['payload', 'UTF8'],
      ['writer', 'INT32'],
      ['_seq', 'INT64'],
      ['_deleted', 'BOOLEAN'],
    ]);
    expect(footer.rowGroups.reduce((s, rg) => s + rg.rowCount, 0)).to.equal(ROWS);
  });

  it('every column chunk is ZSTD-compressed', async () => {
    const footer = await readParquetFooter(bytes);
    expect(footer.rowGroups.length).to.be.greaterThan(0);
    for (const rg of footer.rowGroups) {
      expect(rg.columns).to.have.length(5);
      for (const c of rg.columns) expect(c.codec, `codec of ${c.name}`).to.equal('ZSTD');
    }
    for (const c of footer.columns) expect(c.codec).to.equal('ZSTD');
  });

  it('every column chunk is ZSTD-compressed also with several row groups', async () => {
    const multi = await encodeSegment(columns, ROWS, { maxRowGroupSize: 300 });
    const footer = await readParquetFooter(multi);
    expect(footer.rowGroups.map((rg) => rg.rowCount)).to.deep.equal([300, 300, 300, 100]);
    for (const rg of footer.rowGroups) for (const c of rg.columns) expect(c.codec).to.equal('ZSTD');
    expect(await readParquetRows(multi)).to.have.length(ROWS);
  });

  it('round-trips all values (INT64 comes back as bigint, nulls preserved)', async () => {
    const rows = await readParquetRows(bytes);
    expect(rows).to.have.length(ROWS);
    for (let i = 0; i < ROWS; i++) {
      const row = rows[i]!;
      for (const col of columns) {
        expect(row[col.name], `row ${i} column ${col.name}`).to.equal(col.values[i]);
      }
    }
    expect(typeof rows[0]!['id']).to.equal('bigint');
    expect(typeof rows[0]!['_seq']).to.equal('bigint');
    expect(typeof rows[0]!['writer']).to.equal('number');
    expect(rows[0]!['payload']).to.equal(null);
  });

  it('encodes DOUBLE, null-only and small INT64 numbers; encodeSegmentRows matches encodeSegment', async () => {
    const schema = [
      { name: 'k', type: 'INT64' as const },
      { name: 'v', type: 'DOUBLE' as const },
      { name: 'n', type: 'UTF8' as const },
    ];
    const input = [
      { k: 1, v: 0.5, n: null },
      { k: -2n, v: -1e-300 },
      { k: null, v: null, n: null },
    ];
    const file = await encodeSegmentRows(schema, input);
    const footer = await readParquetFooter(file);
    expect(footer.rowCount).to.equal(3);
    expect(footer.columns.map((c) => c.type)).to.deep.equal(['INT64', 'DOUBLE', 'UTF8']);
    expect(footer.columns.every((c) => c.codec === 'ZSTD')).to.equal(true);
    expect(await readParquetRows(file)).to.deep.equal([
      { k: 1n, v: 0.5, n: null },
      { k: -2n, v: -1e-300, n: null },
      { k: null, v: null, n: null },
    ]);
  });

  it('writes an empty (0-row) segment', async () => {
    const file = await encodeSegment(makeColumns(0), 0);
    const footer = await readParquetFooter(file);
    expect(footer.rowCount).to.equal(0);
    expect(await readParquetRows(file)).to.deep.equal([]);
  });

  it('rejects bad input to the writer', async () => {
    const cols = makeColumns(3);
    await rejectsWithError(encodeSegment(cols, 4)); // length mismatch
    await rejectsWithError(encodeSegment([{ name: 'a', type: 'INT32', values: [2 ** 31] }], 1));
    await rejectsWithError(encodeSegment([{ name: 'a', type: 'INT64', values: [1.5] }], 1));
    await rejectsWithError(encodeSegment([{ name: 'a', type: 'UTF8', values: [3] }], 1));
    await rejectsWithError(
      encodeSegment(
        [
          { name: 'a', type: 'BOOLEAN', values: [true] },
          { name: 'a', type: 'BOOLEAN', values: [true] },
        ],
        1,
      ),
    );
  });

  describe('damaged files', () => {
    it('a truncated file makes readParquetFooter reject with an Error', async () => {
      for (const cut of [1, 4, 8, 100, Math.floor(bytes.length / 2), bytes.length - 12]) {
        const err = await rejectsWithError(readParquetFooter(bytes.subarray(0, bytes.length - cut)));
        expect(err).to.be.instanceOf(ParquetCorruptError);
        expect(err.message).to.match(/parquet/);
      }
      await rejectsWithError(readParquetFooter(new Uint8Array(0)));
      await rejectsWithError(readParquetFooter(bytes.subarray(0, 7)));
      await rejectsWithError(readParquetRows(bytes.subarray(0, bytes.length - 100)));
    });

    it('a file with a flipped footer byte makes readParquetFooter reject with an Error', async () => {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const metaLen = view.getUint32(bytes.length - 8, true);
      const metaStart = bytes.length - 8 - metaLen;
      // Flip the first byte of the thrift-encoded FileMetaData (the field header of `version`).
      const damaged = Uint8Array.from(bytes);
      damaged[metaStart] = damaged[metaStart]! ^ 0xff;
      const err = await rejectsWithError(readParquetFooter(damaged));
      expect(err.message).to.match(/footer/);
      // Flip a byte of the metadata length field and of the trailing magic.
      for (const pos of [bytes.length - 5, bytes.length - 1]) {
        const d = Uint8Array.from(bytes);
        d[pos] = d[pos]! ^ 0xff;
        await rejectsWithError(readParquetFooter(d));
      }
    });

    it('flipping any single footer byte never crashes: it rejects with an Error or yields a footer', async function () {
      this.timeout(120_000);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const metaLen = view.getUint32(bytes.length - 8, true);
      const metaStart = bytes.length - 8 - metaLen;
      let rejected = 0;
      let total = 0;
      for (let pos = metaStart; pos < bytes.length; pos++) {
        const d = Uint8Array.from(bytes);
        d[pos] = d[pos]! ^ 0xff;
        total++;
        try {
          const footer = await readParquetFooter(d);
          expect(footer.rowCount).to.be.a('number');
        } catch (e) {
          expect(e, `flip at ${pos}`).to.be.instanceOf(ParquetCorruptError);
          rejected++;
        }
      }
      // Parquet footers have no checksum; many flips (e.g. inside statistics or the embedded
      // ARROW:schema blob) are undetectable. We only require that a good share is caught.
      expect(rejected, `${rejected}/${total} flips detected`).to.be.greaterThan(0);
    });
  });

  describe('interop with pyarrow (skipped when pyarrow is not installed)', () => {
    let dir: string;
    before(function () {
      if (!hasPyarrow()) this.skip();
      dir = mkdtempSync(join(tmpdir(), 'kalam-parquet-'));
    });
    after(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('pyarrow reads our file (values and ZSTD codec)', function () {
      if (!hasPyarrow()) this.skip();
      const path = join(dir, 'ours.parquet');
      writeFileSync(path, bytes);
      const out = runPython(
        [
          'import sys, json, pyarrow.parquet as pq',
          'f = pq.ParquetFile(sys.argv[1])',
          'md = f.metadata',
          'codecs = sorted({md.row_group(i).column(j).compression for i in range(md.num_row_groups) for j in range(md.num_columns)})',
          't = f.read()',
          'print(json.dumps({"rows": md.num_rows, "codecs": codecs, "names": t.column_names,',
          '  "types": [str(t.schema.field(n).type) for n in t.column_names],',
          '  "id_last": str(t.column("id")[-1].as_py()), "payload_1": t.column("payload")[1].as_py(),',
          '  "deleted_true": sum(1 for v in t.column("_deleted").to_pylist() if v)}))',
        ].join('\n'),
        [path],
      );
      const r = JSON.parse(out) as Record<string, unknown>;
      expect(r['rows']).to.equal(ROWS);
      expect(r['codecs']).to.deep.equal(['ZSTD']);
      expect(r['names']).to.deep.equal(['id', 'payload', 'writer', '_seq', '_deleted']);
      expect(r['types']).to.deep.equal(['int64', 'string', 'int32', 'int64', 'bool']);
      expect(r['id_last']).to.equal(String(columns[0]!.values[ROWS - 1]));
      expect(r['payload_1']).to.equal(columns[1]!.values[1]);
      expect(r['deleted_true']).to.equal(ROWS / 5);
    });

    it('we read a ZSTD file written by pyarrow', async function () {
      if (!hasPyarrow()) this.skip();
      const path = join(dir, 'theirs.parquet');
      runPython(
        [
          'import sys, pyarrow as pa, pyarrow.parquet as pq',
          'n = 500',
          't = pa.table({',
          '  "id": pa.array([i * 3 + 2**53 + 1 for i in range(n)], pa.int64()),',
          '  "payload": pa.array([None if i % 10 == 0 else f"p{i}" for i in range(n)], pa.string()),',
          '  "writer": pa.array([i % 4 for i in range(n)], pa.int32()),',
          '  "_seq": pa.array(list(range(n)), pa.int64()),',
          '  "_deleted": pa.array([i % 3 == 0 for i in range(n)], pa.bool_()),',
          '})',
          'pq.write_table(t, sys.argv[1], compression="zstd", row_group_size=200)',
        ].join('\n'),
        [path],
      );
      const theirs = new Uint8Array(readFileSync(path));
      const footer = await readParquetFooter(theirs);
      expect(footer.rowCount).to.equal(500);
      expect(footer.rowGroups).to.have.length(3);
      for (const rg of footer.rowGroups) for (const c of rg.columns) expect(c.codec).to.equal('ZSTD');
      expect(footer.columns.map((c) => c.type)).to.deep.equal(['INT64', 'UTF8', 'INT32', 'INT64', 'BOOLEAN']);
      const rows = await readParquetRows(theirs);
      expect(rows).to.have.length(500);
      for (let i = 0; i < 500; i++) {
        expect(rows[i]).to.deep.equal({
          id: BigInt(i) * 3n + 2n ** 53n + 1n,
          payload: i % 10 === 0 ? null : `p${i}`,
          writer: i % 4,
          _seq: BigInt(i),
          _deleted: i % 3 === 0,
        });
      }
    });
  });
});
