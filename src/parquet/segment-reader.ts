/**
 * Reader for KalamDB-style cold-tier segment files (Parquet).
 *
 * Built on `hyparquet` (pure-JS parquet reader) plus `hyparquet-compressors`
 * (adds ZSTD / GZIP / BROTLI / LZ4 decompression; hyparquet alone only does SNAPPY).
 *
 * Value mapping of {@link readParquetRows}:
 *   INT64   -> bigint   (ALWAYS bigint, even for small values; never number)
 *   INT32   -> number
 *   UTF8    -> string
 *   BOOLEAN -> boolean
 *   DOUBLE  -> number
 *   null    -> null     (OPTIONAL columns)
 */
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { FileMetaData, SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

export interface ParquetFooterColumn {
  name: string;
  /** 'INT64' | 'INT32' | 'UTF8' | 'BOOLEAN' | 'DOUBLE' for segment columns; otherwise the physical type. */
  type: string;
  /** Codec of this column's chunks ('ZSTD', 'SNAPPY', ...). 'MIXED(A,B)' if row groups disagree. */
  codec: string;
}

export interface ParquetFooter {
  rowCount: number;
  columns: ParquetFooterColumn[];
  /** Per-row-group detail: every column chunk with its codec. */
  rowGroups: { rowCount: number; columns: { name: string; codec: string }[] }[];
  createdBy?: string;
  keyValueMetadata: Record<string, string>;
}

/** Error raised for truncated / damaged / non-parquet input. */
export class ParquetCorruptError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ParquetCorruptError';
  }
}

const MAGIC = 0x31524150; // "PAR1" little-endian
const KNOWN_CODECS = new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW']);
const KNOWN_TYPES = new Set(['BOOLEAN', 'INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE', 'BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY']);

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  // Exact copy: never hand the reader a view onto a larger (possibly shared/pooled) buffer.
  const ab = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(ab).set(bytes);
  return ab;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function logicalName(el: SchemaElement): string {
  const t = el.type ?? 'GROUP';
  if (t === 'BYTE_ARRAY' && (el.converted_type === 'UTF8' || el.logical_type?.type === 'STRING')) return 'UTF8';
  return t;
}

/** Structural checks on the header/trailer, before any thrift decoding. */
function checkEnvelope(bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw new ParquetCorruptError('parquet: expected a Uint8Array');
  if (bytes.byteLength < 12) {
    throw new ParquetCorruptError(`parquet file truncated: ${bytes.byteLength} bytes is smaller than the minimum of 12`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) {
    throw new ParquetCorruptError('parquet file damaged: missing leading "PAR1" magic');
  }
  if (view.getUint32(bytes.byteLength - 4, true) !== MAGIC) {
    throw new ParquetCorruptError('parquet file truncated or damaged: missing trailing "PAR1" magic');
  }
  const metaLen = view.getUint32(bytes.byteLength - 8, true);
  if (metaLen === 0 || metaLen > bytes.byteLength - 12) {
    throw new ParquetCorruptError(
      `parquet footer damaged: metadata length ${metaLen} does not fit in a ${bytes.byteLength}-byte file`,
    );
  }
}

/** Semantic checks on the decoded footer: everything must be self-consistent and inside the file. */
function checkMetadata(meta: FileMetaData, fileLength: number): void {
  const bad = (msg: string): never => {
    throw new ParquetCorruptError(`parquet footer damaged: ${msg}`);
  };
  const metaStart = fileLength - 8 - meta.metadata_length;
  if (!Array.isArray(meta.schema) || meta.schema.length < 2) bad('schema has no columns');
  if (!Array.isArray(meta.row_groups)) bad('row_groups missing');
  const root = meta.schema[0]!;
  if (root.num_children === undefined || root.num_children < 1) bad('schema root has no children');
  const leaves = meta.schema.filter((s) => s.num_children === undefined || s.num_children === 0);
  for (const leaf of leaves) {
    if (!leaf.type || !KNOWN_TYPES.has(leaf.type)) bad(`column "${leaf.name}" has unknown physical type ${String(leaf.type)}`);
  }
  if (typeof meta.num_rows !== 'bigint' || meta.num_rows < 0n) bad(`invalid num_rows ${String(meta.num_rows)}`);
  let sum = 0n;
  meta.row_groups.forEach((rg, i) => {
    if (typeof rg.num_rows !== 'bigint' || rg.num_rows < 0n) bad(`row group ${i} has invalid num_rows`);
    sum += rg.num_rows;
    if (rg.columns.length !== leaves.length) {
      bad(`row group ${i} has ${rg.columns.length} column chunks, schema has ${leaves.length} leaf columns`);
    }
    rg.columns.forEach((cc, j) => {
      const md = cc.meta_data;
      if (!md) return bad(`row group ${i} column ${j} has no column metadata`);
      const leaf = leaves[j]!;
      const name = md.path_in_schema?.join('.') ?? '?';
      if (md.path_in_schema?.[md.path_in_schema.length - 1] !== leaf.name) {
        bad(`row group ${i} column ${j} path "${name}" does not match schema column "${leaf.name}"`);
      }
      if (md.type !== leaf.type) bad(`column "${name}" chunk type ${String(md.type)} != schema type ${String(leaf.type)}`);
      if (!KNOWN_CODECS.has(md.codec)) bad(`column "${name}" has unknown codec ${String(md.codec)}`);
      if (md.num_values < 0n || md.num_values < rg.num_rows) {
        bad(`column "${name}" in row group ${i} has num_values ${md.num_values} < num_rows ${rg.num_rows}`);
      }
      const start = md.dictionary_page_offset ?? md.data_page_offset;
      const end = start + md.total_compressed_size;
      if (start < 4n || md.data_page_offset < 4n || md.total_compressed_size < 0n || end > BigInt(metaStart)) {
        bad(`column "${name}" in row group ${i} points outside the data area (offset ${start}, size ${md.total_compressed_size})`);
      }
      if (md.data_page_offset < start || md.data_page_offset >= end) {
        bad(`column "${name}" in row group ${i} data page offset ${md.data_page_offset} outside its chunk`);
      }
    });
  });
  if (sum !== meta.num_rows) bad(`row groups hold ${sum} rows but footer says num_rows=${meta.num_rows}`);
}

function decodeFooter(bytes: Uint8Array): FileMetaData {
  checkEnvelope(bytes);
  let meta: FileMetaData;
  try {
    meta = parquetMetadata(toArrayBuffer(bytes), { geoparquet: false });
  } catch (e) {
    throw new ParquetCorruptError(`parquet footer damaged: cannot decode metadata (${describe(e)})`, { cause: e });
  }
  try {
    checkMetadata(meta, bytes.byteLength);
  } catch (e) {
    if (e instanceof ParquetCorruptError) throw e;
    throw new ParquetCorruptError(`parquet footer damaged: ${describe(e)}`, { cause: e });
  }
  return meta;
}

/**
 * Decode and validate the footer. Rejects with {@link ParquetCorruptError} (an Error)
 * when the file is truncated, lacks the PAR1 magic, or the footer is not self-consistent.
 *
 * Note: Parquet footers carry no checksum, so a bit flip that still decodes to a valid,
 * self-consistent footer (e.g. inside a statistics min/max value) cannot be detected here;
 * {@link readParquetRows} decodes the pages too and catches more damage.
 */
export async function readParquetFooter(bytes: Uint8Array): Promise<ParquetFooter> {
  const meta = decodeFooter(bytes);
  const leaves = meta.schema.filter((s) => s.num_children === undefined || s.num_children === 0);
  const rowGroups = meta.row_groups.map((rg) => ({
    rowCount: Number(rg.num_rows),
    columns: rg.columns.map((cc, j) => ({
      name: cc.meta_data?.path_in_schema.join('.') ?? leaves[j]!.name,
      codec: String(cc.meta_data?.codec),
    })),
  }));
  const columns = leaves.map((leaf, j) => {
    const codecs = [...new Set(rowGroups.map((rg) => rg.columns[j]!.codec))];
    const codec = codecs.length === 1 ? codecs[0]! : codecs.length === 0 ? 'NONE' : `MIXED(${codecs.join(',')})`;
    return { name: leaf.name, type: logicalName(leaf), codec };
  });
  const keyValueMetadata: Record<string, string> = {};
  for (const kv of meta.key_value_metadata ?? []) keyValueMetadata[kv.key] = kv.value ?? '';
  const footer: ParquetFooter = { rowCount: Number(meta.num_rows), columns, rowGroups, keyValueMetadata };
  if (meta.created_by !== undefined) footer.createdBy = meta.created_by;
  return footer;
}

/**
 * Read every row as a plain object keyed by column name.
 * INT64 columns come back as `bigint` (always); see the module comment for the full mapping.
 */
export async function readParquetRows(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const metadata = decodeFooter(bytes);
  try {
    const rows = await parquetReadObjects({
      file: toArrayBuffer(bytes),
      metadata,
      compressors,
      utf8: true,
    });
    if (rows.length !== Number(metadata.num_rows)) {
      throw new ParquetCorruptError(`parquet data damaged: decoded ${rows.length} rows, footer says ${metadata.num_rows}`);
    }
    return rows;
  } catch (e) {
    if (e instanceof ParquetCorruptError) throw e;
    throw new ParquetCorruptError(`parquet data damaged: ${describe(e)}`, { cause: e });
  }
}
