/**
 * Hand-written validator for KalamDB cold-tier `manifest.json` files.
 *
 * Sequence numbers (`last_sequence_number`, `min_seq`, `max_seq`) are 64-bit values in
 * KalamDB and are returned as `bigint` (parsed exactly, never through a double). All other
 * integers must be safe JavaScript integers and are returned as `number`.
 *
 * Unknown extra properties are tolerated (forward compatibility); `files` and
 * `vector_indexes` are kept as raw JSON. `column_stats` may be absent (treated as `{}`).
 */
import { parseJsonExact, stringifyJsonExact, type JsonValue } from './json.js';

export type SegmentStatus = 'in_progress' | 'committed' | 'tombstone';
export const SEGMENT_STATUSES: readonly SegmentStatus[] = ['in_progress', 'committed', 'tombstone'];

export interface ColumnStats {
  min?: JsonValue;
  max?: JsonValue;
  null_count?: number | null;
}

export interface Segment {
  id: string | number;
  /** Relative to the manifest's folder, e.g. "batch-3.parquet". */
  path: string;
  min_seq: bigint;
  max_seq: bigint;
  row_count: number;
  size_bytes: number;
  created_at: number;
  schema_version: number;
  status: SegmentStatus;
  column_stats: Record<string, ColumnStats>;
}

export interface TableId {
  namespace_id: string;
  table_name: string;
}

export interface Manifest {
  table_id: TableId;
  /** null for SHARED tables. */
  user_id: string | null;
  version: number;
  created_at: number;
  updated_at: number;
  last_sequence_number: bigint;
  segments: Segment[];
  files?: JsonValue;
  vector_indexes?: JsonValue;
}

export type ParseManifestResult = { ok: true; manifest: Manifest } | { ok: false; problem: string };

class Problem extends Error {}

type Obj = { [key: string]: JsonValue };

function isObject(v: JsonValue | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kind(v: JsonValue | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'bigint') return `${v}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

function problem(where: string, what: string, got: JsonValue | undefined): never {
  throw new Problem(`${where} must be ${what} (got ${kind(got)})`);
}

function field(obj: Obj, key: string): JsonValue | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

function nonNegInt(obj: Obj, key: string, where: string): number {
  const v = field(obj, key);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) problem(where, 'a non-negative integer', v);
  return v;
}

function seqNumber(obj: Obj, key: string, where: string): bigint {
  const v = field(obj, key);
  if (typeof v === 'bigint') {
    if (v < 0n || v > 2n ** 63n - 1n) problem(where, 'a non-negative 64-bit integer', v);
    return v;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) problem(where, 'a non-negative integer', v);
  return BigInt(v);
}

function nonEmptyString(obj: Obj, key: string, where: string): string {
  const v = field(obj, key);
  if (typeof v !== 'string' || v.length === 0) problem(where, 'a non-empty string', v);
  return v;
}

function checkRelativePath(p: string, where: string): void {
  if (p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p)) {
    throw new Problem(`${where} must be relative to the manifest's folder (got ${JSON.stringify(p)})`);
  }
  if (p.split(/[/\\]/).some((part) => part === '..')) {
    throw new Problem(`${where} must not leave the manifest's folder (got ${JSON.stringify(p)})`);
  }
  if (p.includes('\0')) throw new Problem(`${where} must not contain NUL characters`);
}

function parseColumnStats(v: JsonValue | undefined, where: string): Record<string, ColumnStats> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) problem(where, 'an object', v);
  const out: Record<string, ColumnStats> = {};
  for (const [col, stats] of Object.entries(v)) {
    const w = `${where}.${col}`;
    if (!isObject(stats)) problem(w, 'an object', stats);
    const s: ColumnStats = {};
    const min = field(stats, 'min');
    const max = field(stats, 'max');
    if (min !== undefined) s.min = min;
    if (max !== undefined) s.max = max;
    const nc = field(stats, 'null_count');
    if (nc !== undefined) {
      if (nc !== null && (typeof nc !== 'number' || !Number.isSafeInteger(nc) || nc < 0)) {
        problem(`${w}.null_count`, 'a non-negative integer or null', nc);
      }
      s.null_count = nc;
    }
    Object.defineProperty(out, col, { value: s, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function parseSegment(v: JsonValue, i: number): Segment {
  const where = `segments[${i}]`;
  if (!isObject(v)) problem(where, 'an object', v);
  const id = field(v, 'id');
  if (!(typeof id === 'string' && id.length > 0) && !(typeof id === 'number' && Number.isSafeInteger(id))) {
    problem(`${where}.id`, 'a non-empty string or an integer', id);
  }
  const path = nonEmptyString(v, 'path', `${where}.path`);
  checkRelativePath(path, `${where}.path`);
  const status = field(v, 'status');
  if (typeof status !== 'string' || !(SEGMENT_STATUSES as readonly string[]).includes(status)) {
    problem(`${where}.status`, `one of ${SEGMENT_STATUSES.map((s) => `"${s}"`).join(', ')}`, status);
  }
  return {
    id,
    path,
    min_seq: seqNumber(v, 'min_seq', `${where}.min_seq`),
    max_seq: seqNumber(v, 'max_seq', `${where}.max_seq`),
    row_count: nonNegInt(v, 'row_count', `${where}.row_count`),
    size_bytes: nonNegInt(v, 'size_bytes', `${where}.size_bytes`),
    created_at: nonNegInt(v, 'created_at', `${where}.created_at`),
    schema_version: nonNegInt(v, 'schema_version', `${where}.schema_version`),
    status: status as SegmentStatus,
    column_stats: parseColumnStats(field(v, 'column_stats'), `${where}.column_stats`),
  };
}

/**
 * KalamDB at HEAD writes `table_id` as the string "ns.table" (checked against the binary); older
 * builds and the docs use an object {namespace_id, table_name}. Both are read.
 */
function parseTableId(tid: JsonValue | undefined): TableId {
  if (typeof tid === 'string') {
    const dot = tid.indexOf('.');
    if (dot <= 0 || dot === tid.length - 1) problem('table_id', 'a string "namespace.table"', tid);
    return { namespace_id: tid.slice(0, dot), table_name: tid.slice(dot + 1) };
  }
  if (!isObject(tid)) problem('table_id', 'a string "namespace.table" or an object', tid);
  return {
    namespace_id: nonEmptyString(tid, 'namespace_id', 'table_id.namespace_id'),
    table_name: nonEmptyString(tid, 'table_name', 'table_id.table_name'),
  };
}

/** Validate an already-parsed JSON value (exact integers expected as produced by {@link parseJsonExact}). */
export function validateManifest(value: JsonValue): ParseManifestResult {
  try {
    if (!isObject(value)) problem('manifest', 'a JSON object', value);
    const table_id = parseTableId(field(value, 'table_id'));
    const uid = field(value, 'user_id');
    if (uid !== null && !(typeof uid === 'string' && uid.length > 0)) {
      problem('user_id', 'a non-empty string or null', uid);
    }
    const segs = field(value, 'segments');
    if (!Array.isArray(segs)) problem('segments', 'an array', segs);
    const manifest: Manifest = {
      table_id,
      user_id: uid,
      version: nonNegInt(value, 'version', 'version'),
      created_at: nonNegInt(value, 'created_at', 'created_at'),
      updated_at: nonNegInt(value, 'updated_at', 'updated_at'),
      last_sequence_number: seqNumber(value, 'last_sequence_number', 'last_sequence_number'),
      segments: segs.map((s, i) => parseSegment(s, i)),
    };
    const files = field(value, 'files');
    if (files !== undefined) manifest.files = files;
    const vi = field(value, 'vector_indexes');
    if (vi !== undefined) manifest.vector_indexes = vi;
    return { ok: true, manifest };
  } catch (e) {
    if (e instanceof Problem) return { ok: false, problem: e.message };
    throw e;
  }
}

/**
 * Parse and validate manifest text. Never throws: invalid JSON and schema problems both
 * come back as `{ ok: false, problem }`; JSON syntax problems start with "invalid JSON:".
 */
export function parseManifest(text: string): ParseManifestResult {
  let value: JsonValue;
  try {
    value = parseJsonExact(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return { ok: false, problem: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  return validateManifest(value);
}

/**
 * manifest.json text as KalamDB 0.4.3 writes it: compact one-line JSON, keys in its order,
 * `table_id` the string "ns.table", `files` null and `vector_indexes` {} unless given; 64-bit
 * integers written exactly.
 */
export function stringifyManifest(manifest: Manifest): string {
  const ordered = {
    table_id: `${manifest.table_id.namespace_id}.${manifest.table_id.table_name}`,
    user_id: manifest.user_id,
    version: manifest.version,
    created_at: manifest.created_at,
    updated_at: manifest.updated_at,
    segments: manifest.segments.map((s) => ({
      min_seq: s.min_seq,
      max_seq: s.max_seq,
      row_count: s.row_count,
      size_bytes: s.size_bytes,
      created_at: s.created_at,
      id: s.id,
      path: s.path,
      column_stats: s.column_stats,
      schema_version: s.schema_version,
      status: s.status,
    })),
    last_sequence_number: manifest.last_sequence_number,
    files: manifest.files ?? null,
    vector_indexes: manifest.vector_indexes ?? {},
  };
  return stringifyJsonExact(ordered);
}
