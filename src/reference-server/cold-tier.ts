import { existsSync } from 'node:fs';
import { open, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { readParquetFooter, readParquetRows } from '../parquet/segment-reader.js';
import { encodeSegment, type SegmentColumn, type SegmentColumnType } from '../parquet/segment-writer.js';
import type { ColumnTypeName, Value } from './sql/ast.js';
import type { ManifestHint, StoredRow, TableDefinition, TableState } from './state.js';
import { syncDirectory } from './wal.js';
import { ensureDurableDir } from './durable-dir.js';
import { VersionedRows } from './versioned-rows.js';

/**
 * The cold tier, laid out as KalamDB lays it out (INTERFACE.md, "On disk"):
 *   storage/{namespace}/{table}/manifest.json, batch-N.parquet           SHARED
 *   storage/{namespace}/{table}/{userId}/manifest.json, batch-N.parquet  USER
 */

/**
 * A segment entry, its keys in the order KalamDB 0.4.3 writes them. `id` is the file name
 * ("batch-0.parquet"); `column_stats` is keyed by column id and covers the primary key only, each
 * bound a tagged scalar such as {"Int64":"1"}.
 */
export interface SegmentEntry {
  readonly min_seq: number;
  readonly max_seq: number;
  readonly row_count: number;
  readonly size_bytes: number;
  readonly created_at: number;
  readonly id: string;
  readonly path: string;
  readonly column_stats: Record<string, { min: TaggedScalar | null; max: TaggedScalar | null; null_count: number }>;
  readonly schema_version: number;
  readonly status: 'in_progress' | 'committed' | 'tombstone';
}

/** A DataFusion ScalarValue as serde writes it: {"Int64":"1"}, {"Utf8":"a"}, ... */
export type TaggedScalar = Readonly<Record<string, string | number | boolean>>;

/**
 * manifest.json as KalamDB 0.4.3 writes it: compact one-line JSON, `table_id` the string
 * "ns.table", `last_sequence_number` the highest batch number N of batch-N.parquet (not a _seq).
 */
export interface Manifest {
  readonly table_id: string;
  readonly user_id: string | null;
  readonly version: number;
  readonly created_at: number;
  readonly updated_at: number;
  readonly segments: readonly SegmentEntry[];
  readonly last_sequence_number: number;
  readonly files: null;
  readonly vector_indexes: Readonly<Record<string, never>>;
}

/** One scope of the cold tier: a table (SHARED) or a table and user (USER), in memory. */
export interface ColdScope {
  readonly dir: string;
  manifest: Manifest | undefined;
  /** Newest version per primary key across the scope's committed segments. */
  rows: VersionedRows<Value, StoredRow>;
  /** Set when the scope cannot be served (e.g. the manifest names a missing file); queries on it fail. */
  unavailable?: string;
  /** sha256 of the manifest.json text in force, to record as the committed copy after a start. */
  manifestSha256?: string;
}

export const MANIFEST = 'manifest.json';
const SEGMENT_FILE = /^batch-(\d+)\.parquet$/;

export function tableDir(dataDir: string, table: Pick<TableDefinition, 'namespace' | 'name'>): string {
  return join(dataDir, 'storage', table.namespace, table.name);
}

export function scopeDir(dataDir: string, table: TableDefinition, partition: string): string {
  return table.type === 'user' ? join(tableDir(dataDir, table), partition) : tableDir(dataDir, table);
}

const PARQUET_TYPES: Readonly<Record<ColumnTypeName, SegmentColumnType>> = {
  BigInt: 'INT64',
  Int: 'INT32',
  SmallInt: 'INT32',
  Text: 'UTF8',
  Boolean: 'BOOLEAN',
  Double: 'DOUBLE',
  Float: 'DOUBLE',
  Timestamp: 'INT64',
};

/** A parquet segment of `rows`: the user columns plus `_seq` (INT64) and `_deleted` (BOOLEAN). */
export async function encodeRows(table: TableDefinition, rows: readonly StoredRow[]): Promise<Uint8Array> {
  const columns: SegmentColumn[] = table.columns.map((column) => ({
    name: column.name,
    type: PARQUET_TYPES[column.type],
    // KalamDB writes the primary key and NOT NULL columns REQUIRED, nullable ones OPTIONAL
    // (a tombstone carries only its key, so a NOT NULL column with tombstones stays OPTIONAL).
    required: (column.primaryKey || !column.nullable) && rows.every((row) => (row.values[column.name] ?? null) !== null),
    values: rows.map((row) => {
      const value = row.values[column.name] ?? null;
      return PARQUET_TYPES[column.type] === 'INT64' && typeof value === 'number' ? BigInt(value) : value;
    }),
  }));
  columns.push({ name: '_seq', type: 'INT64', required: true, values: rows.map((row) => BigInt(row.seq)) });
  columns.push({ name: '_deleted', type: 'BOOLEAN', required: true, values: rows.map((row) => row.deleted === true) });
  return encodeSegment(columns, rows.length, { keyValueMetadata: { [ROWS_CHECKSUM_KEY]: String(rowsChecksum(table.columns.map((column) => column.name), rows)) } });
}

/**
 * Parquet pages carry no checksum we can rely on, so a flipped byte in a data page could decode to
 * wrong values silently. The reference server stores a checksum of the rows in the footer's
 * key/value metadata and refuses a segment whose rows do not match it.
 */
const ROWS_CHECKSUM_KEY = 'kalam_reference.rows_crc32';

/** Over the user columns the segment was written with, so a later ALTER TABLE does not change it. */
function rowsChecksum(columnNames: readonly string[], rows: readonly StoredRow[]): number {
  const canonical = rows.map((row) => [row.seq, row.deleted === true, ...columnNames.map((name) => row.values[name] ?? null)]);
  return crc32(JSON.stringify(canonical));
}

export async function decodeRows(table: TableDefinition, bytes: Uint8Array): Promise<StoredRow[]> {
  const footer = await readParquetFooter(bytes);
  const records = await readParquetRows(bytes);
  if (records.length !== footer.rowCount) throw new Error(`footer says ${footer.rowCount} rows but ${records.length} were decoded`);
  const rows = records.map((record): StoredRow => {
    const values: Record<string, Value> = {};
    for (const column of table.columns) values[column.name] = fromParquet(record[column.name]);
    return { seq: Number(record._seq), values, ...(record._deleted === true ? { deleted: true } : {}) };
  });
  const expected = footer.keyValueMetadata[ROWS_CHECKSUM_KEY];
  const written = footer.columns.map((column) => column.name).filter((name) => name !== '_seq' && name !== '_deleted');
  if (expected !== undefined && String(rowsChecksum(written, rows)) !== expected) throw new Error('rows do not match the checksum in the parquet footer (damaged data page?)');
  return rows;
}

function fromParquet(value: unknown): Value {
  if (typeof value === 'bigint') return Number(value);
  if (value === undefined) return null;
  return value as Value;
}

/** KalamDB keeps min/max/null_count of the primary key column only, keyed by its column id. */
export function columnStats(table: TableDefinition, rows: readonly StoredRow[]): SegmentEntry['column_stats'] {
  const ordinal = table.columns.findIndex((column) => column.name === table.primaryKey);
  const column = table.columns[ordinal];
  if (!column) return {};
  let min: Value = null;
  let max: Value = null;
  let nulls = 0;
  for (const row of rows) {
    const value = row.values[column.name] ?? null;
    if (value === null) {
      nulls++;
      continue;
    }
    if (min === null || value < min) min = value;
    if (max === null || value > max) max = value;
  }
  return { [String(ordinal + 1)]: { min: taggedScalar(column.type, min), max: taggedScalar(column.type, max), null_count: nulls } };
}

const SCALAR_TAGS: Readonly<Record<ColumnTypeName, string>> = {
  BigInt: 'Int64',
  Int: 'Int32',
  SmallInt: 'Int16',
  Text: 'Utf8',
  Boolean: 'Boolean',
  Double: 'Float64',
  Float: 'Float32',
  Timestamp: 'TimestampMicrosecond',
};

/** Int64 is written as a decimal string (measured); other tags follow serde's plain values. */
function taggedScalar(type: ColumnTypeName, value: Value): TaggedScalar | null {
  if (value === null) return null;
  const tag = SCALAR_TAGS[type];
  return { [tag]: tag === 'Int64' ? String(value) : value };
}

/** The manifest KalamDB keeps for a scope before its first flush (version 1, no segments). */
export function emptyManifest(table: TableDefinition, partition: string, now: number): Manifest {
  return {
    table_id: `${table.namespace}.${table.name}`,
    user_id: table.type === 'user' ? partition : null,
    version: 1,
    created_at: now,
    updated_at: now,
    segments: [],
    last_sequence_number: 0,
    files: null,
    vector_indexes: {},
  };
}

/** The manifest with one more segment, as KalamDB's add_segment makes it. */
export function withSegment(manifest: Manifest, segment: SegmentEntry, now: number): Manifest {
  const batch = batchNumber(segment.path);
  return {
    ...manifest,
    version: manifest.version + 1,
    updated_at: now,
    segments: [...manifest.segments.filter((existing) => existing.id !== segment.id), segment],
    last_sequence_number: Number.isInteger(batch) ? Math.max(manifest.last_sequence_number, batch) : manifest.last_sequence_number,
  };
}

/** Writes bytes to `path` and fsyncs the file before closing it. */
export async function writeDurably(path: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** temp file → fsync → rename → fsync of the folder: a reader sees the old manifest or the new one. */
/** The manifest exactly as it is written to disk, and its digest. */
export function manifestText(manifest: Manifest): string {
  return JSON.stringify(manifest);
}

export function manifestDigest(manifest: Manifest): string {
  return createHash('sha256').update(manifestText(manifest)).digest('hex');
}

export async function writeManifestAtomically(dir: string, manifest: Manifest, beforeRename?: () => Promise<void>): Promise<void> {
  const temp = join(dir, `${MANIFEST}.tmp`);
  await writeDurably(temp, manifestText(manifest));
  await beforeRename?.();
  await rename(temp, join(dir, MANIFEST));
  await syncDirectory(dir);
}

/** KalamDB's rule (0 for no segments, else last_sequence_number + 1), never reusing a listed file. */
export function nextBatchNumber(scope: ColdScope): number {
  const manifest = scope.manifest;
  if (!manifest || manifest.segments.length === 0) return 0;
  let highest = manifest.last_sequence_number;
  for (const segment of manifest.segments) {
    const batch = batchNumber(segment.path);
    if (Number.isInteger(batch)) highest = Math.max(highest, batch);
  }
  return highest + 1;
}

export function mergeIntoScope(scope: ColdScope, rows: readonly StoredRow[], primaryKey: string): void {
  for (const row of rows) {
    const key = row.values[primaryKey] ?? null;
    const current = scope.rows.get(key);
    if (!current || current.seq < row.seq) scope.rows.set(key, row);
  }
}

/**
 * Opens every scope of a table at start: removes leftover temp files, ignores parquet files no
 * manifest names, rebuilds a manifest that is unparseable (or gone, when the hot tier remembers
 * committing one) from the parquet footers, and loads the committed segments' rows.
 */
/** How the loader treats a damaged manifest; the two non-default behaviours are seeded defects. */
export interface ManifestPolicy {
  /** trust-corrupt-manifest: load any manifest that parses, skipping every consistency check. */
  readonly trustParseable: boolean;
  /** panic-on-bad-manifest: an unparseable manifest aborts the process, Rust-panic style. */
  readonly panicOnUnparseable: boolean;
}

export async function loadTableScopes(dataDir: string, table: TableState, log: Logger, policy: ManifestPolicy): Promise<Map<string, ColdScope>> {
  const scopes = new Map<string, ColdScope>();
  const definition = table.definition;
  if (definition.type === 'stream') return scopes;
  const root = tableDir(dataDir, definition);
  if (!existsSync(root)) return scopes;
  const partitions = definition.type === 'user' ? (await readdir(root, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name) : [''];
  for (const partition of partitions) {
    scopes.set(partition, await loadScope(scopeDir(dataDir, definition, partition), table, partition, log, policy));
  }
  return scopes;
}

async function loadScope(dir: string, table: TableState, partition: string, log: Logger, policy: ManifestPolicy): Promise<ColdScope> {
  const definition = table.definition;
  const scope: ColdScope = { dir, manifest: undefined, rows: new VersionedRows() };
  const names = await readdir(dir);
  // kalamdb-server leaves the temp file of an interrupted write where it is; so does its double.
  const manifestPath = join(dir, MANIFEST);
  const hint = table.manifests.get(partition);
  let manifest: Manifest | undefined;
  let problem: string | undefined;
  if (names.includes(MANIFEST)) {
    const text = await readFile(manifestPath, 'utf8');
    const parsed = parseManifest(text);
    if (typeof parsed === 'string') {
      problem = parsed;
      if (policy.panicOnUnparseable) panic(`backend/crates/kalamdb-core/src/manifest/service.rs:214:54`, `called \`Result::unwrap()\` on an \`Err\` value: ManifestParse("${manifestPath}: ${parsed}")`);
    } else {
      manifest = parsed;
      scope.manifestSha256 = createHash('sha256').update(text).digest('hex');
      if (!policy.trustParseable) problem = await manifestProblem(parsed, text, dir, hint);
    }
  } else if (hint) {
    problem = `missing, but version ${hint.version} was committed`;
  }
  if (problem !== undefined) {
    log.error({ file: manifestPath, problem }, `[MANIFEST CORRUPTION] ${manifestPath}: ${problem}. Triggering rebuild`);
    const rebuilt = await rebuildManifest(dir, definition, partition, hint, log);
    manifest = rebuilt.manifest;
    scope.manifestSha256 = manifestDigest(manifest);
    if (rebuilt.unreadable.length > 0) {
      scope.unavailable = `manifest ${manifestPath} was rebuilt without unreadable segment(s) ${rebuilt.unreadable.join(', ')}: refusing to serve a partial table`;
    }
  }
  scope.manifest = manifest;
  const named = new Set(manifest?.segments.map((segment) => segment.path) ?? []);
  for (const name of names.filter((entry) => SEGMENT_FILE.test(entry) && !named.has(entry))) {
    log.warn({ file: join(dir, name) }, 'ignoring orphan segment no manifest names (crash between rename and manifest commit?)');
  }
  for (const segment of manifest?.segments ?? []) {
    if (segment.status !== 'committed') continue;
    const path = join(dir, segment.path);
    if (policy.trustParseable && !existsSync(path)) continue;
    try {
      mergeIntoScope(scope, await decodeRows(definition, await readFile(path)), definition.primaryKey);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read: ${(error as Error).message}`;
      scope.unavailable = `segment ${path} named by ${manifestPath} ${reason}`;
      log.error({ file: path, manifest: manifestPath, err: error }, scope.unavailable);
    }
  }
  return scope;
}

/**
 * Why a manifest that parses cannot be trusted, if it cannot: it disagrees with the copy the hot
 * tier keeps of the last committed manifest (older version, other segments), names a segment twice,
 * or describes a segment file differently from its footer (row count) or its size. A segment file
 * that is missing while the hot tier's copy also names it is not a manifest problem: the file is lost.
 */
async function manifestProblem(manifest: Manifest, text: string, dir: string, hint: ManifestHint | undefined): Promise<string | undefined> {
  const paths = manifest.segments.map((segment) => segment.path);
  if (new Set(paths).size !== paths.length) return 'a segment is listed twice';
  if (new Set(manifest.segments.map((segment) => segment.id)).size !== manifest.segments.length) return 'a segment id is listed twice';
  if (hint) {
    if (manifest.version < hint.version) return `version ${manifest.version} is older than the committed version ${hint.version}`;
    // One commit can land on disk before the hot tier records it (a crash in between); more cannot.
    if (manifest.version > hint.version + 1) return `version ${manifest.version} is beyond the committed version ${hint.version}`;
    if (manifest.version === hint.version && hint.sha256 !== undefined && createHash('sha256').update(text).digest('hex') !== hint.sha256) {
      return `content differs from the committed version ${hint.version}`;
    }
    const committed = new Set(hint.segments);
    const listed = new Set(paths);
    if (manifest.version === hint.version && (listed.size !== committed.size || [...committed].some((path) => !listed.has(path)))) {
      return `segments [${paths.join(', ')}] differ from the committed [${hint.segments.join(', ')}]`;
    }
    if ([...committed].some((path) => !listed.has(path))) return `committed segments are missing from version ${manifest.version}`;
  }
  for (const segment of manifest.segments) {
    if (segment.status !== 'committed') continue;
    const path = join(dir, segment.path);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      if (hint && !hint.segments.includes(segment.path)) return `names ${segment.path}, which was never committed and does not exist`;
      continue;
    }
    let rowCount: number;
    try {
      rowCount = (await readParquetFooter(bytes)).rowCount;
    } catch {
      continue; // a damaged segment is the segment's problem, reported when it is loaded
    }
    if (bytes.length !== segment.size_bytes) return `${segment.path}: size_bytes ${segment.size_bytes} but the file has ${bytes.length} bytes`;
    if (rowCount !== segment.row_count) return `${segment.path}: row_count ${segment.row_count} but its footer says ${rowCount}`;
  }
  return undefined;
}

/** What a Rust server prints when it panics; the process ends with 101 as Rust's does. */
function panic(location: string, message: string): never {
  process.stderr.write(`thread 'main' panicked at ${location}:\n${message}\nnote: run with \`RUST_BACKTRACE=1\` environment variable to display a backtrace\n`);
  process.exit(101);
}

async function rebuildManifest(
  dir: string,
  table: TableDefinition,
  partition: string,
  hint: ManifestHint | undefined,
  log: Logger,
): Promise<{ manifest: Manifest; unreadable: string[] }> {
  log.warn({ dir }, `[MANIFEST REBUILD STARTED] ${dir}`);
  const files = (await readdir(dir)).filter((name) => SEGMENT_FILE.test(name)).sort((a, b) => batchNumber(a) - batchNumber(b));
  const segments: SegmentEntry[] = [];
  const unreadable: string[] = [];
  for (const name of files) {
    const path = join(dir, name);
    try {
      const bytes = await readFile(path);
      await readParquetFooter(bytes);
      const rows = await decodeRows(table, bytes);
      const seqs = rows.map((row) => row.seq);
      segments.push({
        min_seq: seqs.length > 0 ? Math.min(...seqs) : 0,
        max_seq: seqs.length > 0 ? Math.max(...seqs) : 0,
        row_count: rows.length,
        size_bytes: (await stat(path)).size,
        created_at: Date.now(),
        id: name,
        path: name,
        column_stats: columnStats(table, rows),
        schema_version: table.schemaVersion,
        status: 'committed',
      });
    } catch (error) {
      unreadable.push(path);
      log.error({ file: path, err: error }, `[MANIFEST REBUILD] unreadable segment ${path}: ${(error as Error).message}`);
    }
  }
  const now = Date.now();
  const manifest: Manifest = {
    ...emptyManifest(table, partition, now),
    // Past every version a reader may have seen, so versions never go backwards.
    version: (hint?.version ?? 0) + 1,
    segments,
    last_sequence_number: files.length > 0 ? batchNumber(files[files.length - 1]!) : 0,
  };
  await writeManifestAtomically(dir, manifest);
  log.warn({ dir, segments: segments.length }, `[MANIFEST REBUILD COMPLETED] ${dir} from ${segments.length} parquet footer(s)`);
  return { manifest, unreadable };
}

function batchNumber(name: string): number {
  return Number(SEGMENT_FILE.exec(name)?.[1] ?? Number.NaN);
}

/** The manifest, or a one-line reason it cannot be used. */
export function parseManifest(text: string): Manifest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const manifest = value as Partial<Manifest>;
  if (!Number.isInteger(manifest.version)) return 'version is not an integer';
  if (!Number.isInteger(manifest.last_sequence_number)) return 'last_sequence_number is not an integer';
  if (!Array.isArray(manifest.segments)) return 'segments is not an array';
  const segments = manifest.segments as readonly (Partial<SegmentEntry> | null)[]; // entries are still unchecked JSON
  for (const [index, segment] of segments.entries()) {
    if (typeof segment !== 'object' || segment === null || typeof segment.path !== 'string' || !Number.isInteger(segment.row_count)) {
      return `segments[${index}] is malformed`;
    }
  }
  return manifest as Manifest;
}

export async function ensureDir(dir: string): Promise<void> {
  await ensureDurableDir(dir);
}
