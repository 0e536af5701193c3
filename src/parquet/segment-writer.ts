/**
 * Writer for KalamDB-style cold-tier segment files: real Parquet, ZSTD-compressed
 * column chunks.
 *
 * Encoding is delegated to `parquet-wasm` (the Rust `parquet` crate compiled to
 * WebAssembly, no native build step). The columns are first assembled into an
 * Apache Arrow table with `apache-arrow`, handed over as an Arrow IPC stream, and
 * written with ZSTD as the compression codec for every column.
 *
 * Physical types written per column type:
 *   INT64 -> INT64, INT32 -> INT32, UTF8 -> BYTE_ARRAY (String), BOOLEAN -> BOOLEAN,
 *   DOUBLE -> DOUBLE. Every column is nullable (OPTIONAL) and accepts `null`.
 */
import {
  Bool,
  Field,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table as ArrowTable,
  Utf8,
  makeData,
  tableToIPC,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import {
  Compression,
  EnabledStatistics,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from 'parquet-wasm';

export type SegmentColumnType = 'INT64' | 'INT32' | 'UTF8' | 'BOOLEAN' | 'DOUBLE';
export type SegmentValue = bigint | number | string | boolean | null;

export interface SegmentColumn {
  name: string;
  type: SegmentColumnType;
  values: SegmentValue[];
  /** Written REQUIRED (not null), as KalamDB writes primary keys, NOT NULL columns, _seq and _deleted. */
  required?: boolean;
}

/** A schema entry for {@link encodeSegmentRows}. */
export interface SegmentField {
  name: string;
  type: SegmentColumnType;
}

export interface EncodeSegmentOptions {
  /** Maximum rows per row group (default: 1 048 576 - parquet crate default). */
  maxRowGroupSize?: number;
  /** Extra footer key/value metadata. */
  keyValueMetadata?: Record<string, string>;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function fail(column: string, row: number, msg: string): never {
  throw new TypeError(`segment column "${column}" row ${row}: ${msg}`);
}

function coerce(col: SegmentColumn, row: number, v: SegmentValue | undefined): SegmentValue {
  if (v === null || v === undefined) return null;
  switch (col.type) {
    case 'INT64': {
      let b: bigint;
      if (typeof v === 'bigint') b = v;
      else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
      else fail(col.name, row, `expected bigint or safe integer for INT64, got ${typeof v} ${String(v)}`);
      if (b < INT64_MIN || b > INT64_MAX) fail(col.name, row, `value ${b} out of INT64 range`);
      return b;
    }
    case 'INT32': {
      const n = typeof v === 'bigint' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) {
        fail(col.name, row, `expected 32-bit integer for INT32, got ${typeof v} ${String(v)}`);
      }
      return n;
    }
    case 'UTF8':
      if (typeof v !== 'string') fail(col.name, row, `expected string for UTF8, got ${typeof v}`);
      return v;
    case 'BOOLEAN':
      if (typeof v !== 'boolean') fail(col.name, row, `expected boolean for BOOLEAN, got ${typeof v}`);
      return v;
    case 'DOUBLE':
      if (typeof v !== 'number') fail(col.name, row, `expected number for DOUBLE, got ${typeof v}`);
      return v;
    default: {
      const t: never = col.type;
      throw new TypeError(`segment column "${col.name}": unsupported type ${String(t)}`);
    }
  }
}

function arrowType(t: SegmentColumnType): DataType {
  switch (t) {
    case 'INT64':
      return new Int64();
    case 'INT32':
      return new Int32();
    case 'UTF8':
      return new Utf8();
    case 'BOOLEAN':
      return new Bool();
    case 'DOUBLE':
      return new Float64();
  }
}

function validate(columns: SegmentColumn[], rowCount: number): void {
  if (!Number.isSafeInteger(rowCount) || rowCount < 0) {
    throw new RangeError(`rowCount must be a non-negative integer, got ${rowCount}`);
  }
  if (columns.length === 0) throw new RangeError('a segment needs at least one column');
  const seen = new Set<string>();
  for (const c of columns) {
    if (typeof c.name !== 'string' || c.name.length === 0) throw new TypeError('column name must be a non-empty string');
    if (seen.has(c.name)) throw new TypeError(`duplicate column name "${c.name}"`);
    seen.add(c.name);
    if (!['INT64', 'INT32', 'UTF8', 'BOOLEAN', 'DOUBLE'].includes(c.type)) {
      throw new TypeError(`segment column "${c.name}": unsupported type ${String(c.type)}`);
    }
    if (c.values.length !== rowCount) {
      throw new RangeError(`segment column "${c.name}" has ${c.values.length} values, expected rowCount=${rowCount}`);
    }
  }
}

/**
 * Encode columns into a Parquet file whose column chunks are all ZSTD-compressed.
 * Async for API stability (the wasm module itself is initialised synchronously on import).
 */
export async function encodeSegment(
  columns: SegmentColumn[],
  rowCount: number,
  options: EncodeSegmentOptions = {},
): Promise<Uint8Array> {
  validate(columns, rowCount);

  const vectors: Vector<DataType>[] = [];
  const fields: Field[] = [];
  for (const col of columns) {
    const data = col.values.map((v, i) => coerce(col, i, v));
    if (col.required && data.some((v) => v === null)) throw new TypeError(`segment column "${col.name}" is required but holds null`);
    const vector = vectorFromArray(data as never[], arrowType(col.type));
    vectors.push(vector);
    fields.push(new Field(col.name, vector.type, col.required !== true));
  }
  const schema = new Schema(fields);
  const struct = makeData({ type: new Struct(fields), length: rowCount, nullCount: 0, children: vectors.map((vector) => vector.data[0]!) });
  const arrowTable = new ArrowTable([new RecordBatch(schema, struct)]);
  const ipc = tableToIPC(arrowTable, 'stream');

  const wasmTable = WasmTable.fromIPCStream(ipc);
  let builder = new WriterPropertiesBuilder()
    .setCompression(Compression.ZSTD)
    .setStatisticsEnabled(EnabledStatistics.Chunk)
    .setCreatedBy('kalam-chaos segment-writer (parquet-wasm)');
  for (const col of columns) builder = builder.setColumnCompression(col.name, Compression.ZSTD);
  if (options.maxRowGroupSize !== undefined) builder = builder.setMaxRowGroupSize(options.maxRowGroupSize);
  if (options.keyValueMetadata) {
    builder = builder.setKeyValueMetadata(new Map(Object.entries(options.keyValueMetadata)));
  }
  const props = builder.build();
  // writeParquet consumes `wasmTable` and `props`.
  const out = writeParquet(wasmTable, props);
  // Copy out of wasm memory into a plain JS-owned buffer.
  return new Uint8Array(out);
}

/**
 * Row-oriented convenience wrapper: `rows` are plain objects keyed by field name;
 * missing keys become null.
 */
export async function encodeSegmentRows(
  schema: SegmentField[],
  rows: Record<string, SegmentValue | undefined>[],
  options: EncodeSegmentOptions = {},
): Promise<Uint8Array> {
  const columns: SegmentColumn[] = schema.map((f) => ({
    name: f.name,
    type: f.type,
    values: rows.map((r) => r[f.name] ?? null),
  }));
  return encodeSegment(columns, rows.length, options);
}
