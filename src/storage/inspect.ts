/**
 * Offline inspection of KalamDB's cold tier (DATA_DIR/storage).
 *
 * Layout:
 *   DATA_DIR/storage/{namespace}/{table}/manifest.json            SHARED table scope
 *   DATA_DIR/storage/{namespace}/{table}/{userId}/manifest.json   USER table scope
 * each next to its `batch-N.parquet` segments.
 *
 * The inspection never throws on damaged content: every problem becomes a {@link Finding}.
 * It only throws when DATA_DIR itself cannot be read. Segments are read one at a time.
 *
 * Every value in an {@link Inspection} is JSON-safe: 64-bit sequence numbers are given
 * as decimal strings.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';

import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

import { readParquetFooter, type ParquetFooter } from '../parquet/segment-reader.js';
import { parseManifest, type Manifest, type Segment } from './manifest-schema.js';
import type { JsonValue } from './json.js';

export type Severity = 'violation' | 'warning';

export type FindingKind =
  // violations
  | 'io-error'
  | 'manifest-unparseable'
  | 'manifest-schema'
  | 'manifest-scope-mismatch'
  | 'segment-file-missing'
  | 'segment-seq-range-invalid'
  | 'parquet-unreadable'
  | 'row-count-mismatch'
  | 'size-mismatch'
  | 'seq-out-of-range'
  | 'duplicate-segment-id'
  | 'duplicate-segment-path'
  | 'batch-beyond-last-sequence'
  | 'version-regressed'
  | 'last-sequence-regressed'
  | 'missing-system-column'
  | 'system-column-type'
  // warnings
  | 'orphan-parquet'
  | 'leftover-tmp'
  | 'missing-manifest'
  | 'unexpected-manifest-location'
  | 'scope-vanished'
  | 'no-storage-dir';

export const VIOLATION_KINDS: readonly FindingKind[] = [
  'io-error',
  'manifest-unparseable',
  'manifest-schema',
  'manifest-scope-mismatch',
  'segment-file-missing',
  'segment-seq-range-invalid',
  'parquet-unreadable',
  'row-count-mismatch',
  'size-mismatch',
  'seq-out-of-range',
  'duplicate-segment-id',
  'duplicate-segment-path',
  'batch-beyond-last-sequence',
  'version-regressed',
  'last-sequence-regressed',
  'missing-system-column',
  'system-column-type',
];

export const WARNING_KINDS: readonly FindingKind[] = [
  'orphan-parquet',
  'leftover-tmp',
  'missing-manifest',
  'unexpected-manifest-location',
  'scope-vanished',
  'no-storage-dir',
];

export type FindingDetails = Record<string, string | number | boolean | null | string[] | number[]>;

export interface Finding {
  severity: Severity;
  kind: FindingKind;
  /** Relative to dataDir, '/'-separated (e.g. "storage/app/users/u1/batch-2.parquet"). */
  path: string;
  message: string;
  details?: FindingDetails;
}

export interface ScopeSummary {
  /** Folder of the manifest, relative to dataDir (e.g. "storage/app/events"). */
  path: string;
  namespace: string;
  table: string;
  userId: string | null;
  /** null when the manifest could not be parsed. */
  version: number | null;
  /**
   * The manifest's last_sequence_number as a decimal string; null when it could not be parsed.
   * KalamDB keeps there the highest batch number N of batch-N.parquet, not a _seq.
   */
  lastSequenceNumber: string | null;
  /** Committed segments in the manifest. */
  segments: number;
  /** Sum of row_count over committed segments. */
  rows: number;
}

export interface Inspection {
  dataDir: string;
  /** Absolute path of DATA_DIR/storage. */
  storageDir: string;
  scopes: ScopeSummary[];
  findings: Finding[];
  violations: number;
  warnings: number;
  /** true when there is no violation (warnings allowed). */
  ok: boolean;
  /** segmentsChecked: committed segment files whose footer was read and compared with the manifest. */
  totals: { scopes: number; segments: number; rows: number; segmentsChecked: number };
}

/** What an earlier inspection of the same DATA_DIR saw; JSON-safe so it can be persisted. */
export interface InspectionBaseline {
  scopes: Record<string, { version: number; lastSequenceNumber: string }>;
}

export interface InspectOptions {
  previous?: InspectionBaseline;
  /**
   * How much of each committed segment to decode after its footer:
   * - 'all' (default): every column, one column at a time (catches damaged data pages in
   *   user columns while holding at most one decoded column of one segment);
   * - 'system': only `_seq` and `_deleted` (faster).
   */
  decode?: 'all' | 'system';
}

const MANIFEST = 'manifest.json';

function toRel(dataDir: string, abs: string): string {
  const r = relative(dataDir, abs);
  return sep === '/' ? r : r.split(sep).join('/');
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  const ab = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(ab).set(bytes);
  return ab;
}

interface DirEntryInfo {
  /** Absolute folder path. */
  dir: string;
  /** Path segments below storage/. */
  parts: string[];
  files: string[];
}

/** Collect every folder below root with its plain files; unreadable folders become findings. */
async function walk(root: string, dataDir: string, findings: Finding[]): Promise<DirEntryInfo[]> {
  const out: DirEntryInfo[] = [];
  const stack: { dir: string; parts: string[] }[] = [{ dir: root, parts: [] }];
  while (stack.length > 0) {
    const { dir, parts } = stack.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      findings.push({
        severity: 'violation',
        kind: 'io-error',
        path: toRel(dataDir, dir),
        message: `cannot list folder: ${describe(e)}`,
      });
      continue;
    }
    const files: string[] = [];
    const subdirs: string[] = [];
    for (const ent of entries) {
      if (ent.isDirectory()) subdirs.push(ent.name);
      else if (ent.isFile() || ent.isSymbolicLink()) files.push(ent.name);
    }
    files.sort();
    subdirs.sort().reverse();
    out.push({ dir, parts, files });
    for (const s of subdirs) stack.push({ dir: join(dir, s), parts: [...parts, s] });
  }
  out.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  return out;
}

/** Any string under `files` / `vector_indexes` ending in .parquet counts as naming that file. */
function collectNamedParquet(v: JsonValue | undefined, acc: string[]): void {
  if (v === undefined || v === null) return;
  if (typeof v === 'string') {
    if (v.endsWith('.parquet')) acc.push(v);
  } else if (Array.isArray(v)) {
    for (const x of v) collectNamedParquet(x, acc);
  } else if (typeof v === 'object') {
    for (const x of Object.values(v)) collectNamedParquet(x, acc);
  }
}

/** N of a segment path ending in batch-N.parquet, as KalamDB's extract_batch_number reads it. */
function batchNumber(path: string): bigint | undefined {
  const match = /(?:^|[/\\])batch-(\d+)\.parquet$/.exec(path);
  return match ? BigInt(match[1]!) : undefined;
}

function segKey(id: string | number): string {
  return String(id);
}

interface SeqScan {
  count: number;
  nulls: number;
  below: number;
  above: number;
  min: bigint | null;
  max: bigint | null;
}

function scanSeq(values: Iterable<unknown>, lo: bigint, hi: bigint): SeqScan {
  const r: SeqScan = { count: 0, nulls: 0, below: 0, above: 0, min: null, max: null };
  for (const raw of values) {
    r.count++;
    let v: bigint;
    if (typeof raw === 'bigint') v = raw;
    else if (typeof raw === 'number' && Number.isInteger(raw)) v = BigInt(raw);
    else {
      r.nulls++;
      continue;
    }
    if (r.min === null || v < r.min) r.min = v;
    if (r.max === null || v > r.max) r.max = v;
    if (v < lo) r.below++;
    else if (v > hi) r.above++;
  }
  return r;
}

class ScopeInspector {
  constructor(
    private readonly dataDir: string,
    private readonly findings: Finding[],
    private readonly decode: 'all' | 'system',
  ) {}

  private add(severity: Severity, kind: FindingKind, path: string, message: string, details?: FindingDetails): void {
    const f: Finding = { severity, kind, path, message };
    if (details) f.details = details;
    this.findings.push(f);
  }

  /** Check the manifest's identity against its folder. */
  checkIdentity(m: Manifest, manifestRel: string, namespace: string, table: string, userId: string | null): void {
    const problems: string[] = [];
    if (m.table_id.namespace_id !== namespace) {
      problems.push(`table_id.namespace_id is "${m.table_id.namespace_id}" but the folder is "${namespace}"`);
    }
    if (m.table_id.table_name !== table) {
      problems.push(`table_id.table_name is "${m.table_id.table_name}" but the folder is "${table}"`);
    }
    if (userId === null && m.user_id !== null) {
      problems.push(`user_id is "${m.user_id}" but a SHARED table folder needs user_id null`);
    } else if (userId !== null && m.user_id !== userId) {
      problems.push(
        m.user_id === null
          ? `user_id is null but the manifest sits in user folder "${userId}"`
          : `user_id is "${m.user_id}" but the folder is "${userId}"`,
      );
    }
    if (problems.length > 0) {
      this.add('violation', 'manifest-scope-mismatch', manifestRel, problems.join('; '), {
        expectedNamespace: namespace,
        expectedTable: table,
        expectedUserId: userId,
        namespace: m.table_id.namespace_id,
        table: m.table_id.table_name,
        userId: m.user_id,
      });
    }
  }

  checkSegmentList(m: Manifest, manifestRel: string): void {
    const ids = new Map<string, number>();
    const paths = new Map<string, number>();
    m.segments.forEach((s, i) => {
      const idKey = segKey(s.id);
      const firstId = ids.get(idKey);
      if (firstId !== undefined) {
        this.add('violation', 'duplicate-segment-id', manifestRel, `segments[${i}] repeats id ${JSON.stringify(s.id)} of segments[${firstId}]`, {
          id: idKey,
          indexes: [firstId, i],
        });
      } else ids.set(idKey, i);
      const pathKey = posix.normalize(s.path.replace(/\\/g, '/'));
      const firstPath = paths.get(pathKey);
      if (firstPath !== undefined) {
        this.add('violation', 'duplicate-segment-path', manifestRel, `segments[${i}] repeats path "${s.path}" of segments[${firstPath}]`, {
          segmentPath: s.path,
          indexes: [firstPath, i],
        });
      } else paths.set(pathKey, i);
      if (s.min_seq > s.max_seq) {
        this.add('violation', 'segment-seq-range-invalid', manifestRel, `segments[${i}] (${s.path}) has min_seq ${s.min_seq} > max_seq ${s.max_seq}`, {
          segment: idKey,
          minSeq: s.min_seq.toString(),
          maxSeq: s.max_seq.toString(),
        });
      }
      // KalamDB's add_segment raises last_sequence_number to the batch number N of batch-N.parquet
      // (never to a _seq), and the next flush writes batch-(last_sequence_number + 1): a listed
      // batch beyond it would be overwritten by a later flush.
      const batch = batchNumber(s.path);
      if (s.status !== 'tombstone' && batch !== undefined && batch > m.last_sequence_number) {
        this.add(
          'violation',
          'batch-beyond-last-sequence',
          manifestRel,
          `segments[${i}] (${s.path}) is batch ${batch} but last_sequence_number is ${m.last_sequence_number}: the next flush would write batch-${m.last_sequence_number + 1n}.parquet`,
          { segment: idKey, batch: batch.toString(), lastSequenceNumber: m.last_sequence_number.toString() },
        );
      }
    });
  }

  /** Check one committed segment file. Loads only this file. True when its footer was read and compared. */
  async checkSegmentFile(s: Segment, abs: string): Promise<boolean> {
    const rel = toRel(this.dataDir, abs);
    const segment = segKey(s.id);
    let size: number;
    try {
      const st = await stat(abs);
      if (!st.isFile()) {
        this.add('violation', 'segment-file-missing', rel, `committed segment ${JSON.stringify(s.id)} names "${s.path}", which is not a file`, {
          segment,
        });
        return false;
      }
      size = st.size;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        this.add('violation', 'segment-file-missing', rel, `committed segment ${JSON.stringify(s.id)} names "${s.path}", which does not exist`, {
          segment,
        });
      } else {
        this.add('violation', 'io-error', rel, `cannot stat segment file: ${describe(e)}`, { segment });
      }
      return false;
    }
    if (size !== s.size_bytes) {
      this.add('violation', 'size-mismatch', rel, `file is ${size} bytes but the manifest says size_bytes=${s.size_bytes}`, {
        segment,
        actual: size,
        expected: s.size_bytes,
      });
    }

    let bytes: Uint8Array | undefined;
    try {
      bytes = await readFile(abs);
    } catch (e) {
      this.add('violation', 'io-error', rel, `cannot read segment file: ${describe(e)}`, { segment });
      return false;
    }

    let footer: ParquetFooter;
    try {
      footer = await readParquetFooter(bytes);
    } catch (e) {
      this.add('violation', 'parquet-unreadable', rel, `parquet footer unreadable: ${describe(e)}`, { segment, size });
      return false;
    }
    if (footer.rowCount !== s.row_count) {
      this.add('violation', 'row-count-mismatch', rel, `footer holds ${footer.rowCount} rows but the manifest says row_count=${s.row_count}`, {
        segment,
        actual: footer.rowCount,
        expected: s.row_count,
      });
    }
    const seqCol = footer.columns.find((c) => c.name === '_seq');
    const delCol = footer.columns.find((c) => c.name === '_deleted');
    const missing = [!seqCol ? '_seq' : null, !delCol ? '_deleted' : null].filter((x): x is string => x !== null);
    if (missing.length > 0) {
      this.add('violation', 'missing-system-column', rel, `parquet file lacks system column(s) ${missing.join(', ')}`, {
        segment,
        missing,
        columns: footer.columns.map((c) => c.name),
      });
    }
    if (seqCol && seqCol.type !== 'INT64') {
      this.add('violation', 'system-column-type', rel, `_seq column is ${seqCol.type}, expected INT64`, { segment, column: '_seq', type: seqCol.type });
    }
    if (delCol && delCol.type !== 'BOOLEAN') {
      this.add('violation', 'system-column-type', rel, `_deleted column is ${delCol.type}, expected BOOLEAN`, {
        segment,
        column: '_deleted',
        type: delCol.type,
      });
    }

    // _seq first: its values are kept for the range check; other columns are decoded and dropped.
    const system = [seqCol ? '_seq' : null, delCol ? '_deleted' : null].filter((x): x is string => x !== null);
    const others = this.decode === 'all' ? footer.columns.map((c) => c.name).filter((n) => !system.includes(n)) : [];
    let seqValues: unknown[] | undefined;
    let current = '';
    try {
      const file = toArrayBuffer(bytes);
      for (const name of [...system, ...others]) {
        current = name;
        const rows = await parquetReadObjects({ file, columns: [name], compressors, utf8: true });
        if (rows.length !== footer.rowCount) {
          throw new Error(`decoded ${rows.length} rows, footer says ${footer.rowCount}`);
        }
        if (name === '_seq') seqValues = rows.map((r): unknown => r['_seq']);
      }
    } catch (e) {
      this.add('violation', 'parquet-unreadable', rel, `parquet data unreadable (column "${current}"): ${describe(e)}`, {
        segment,
        size,
        column: current,
      });
      return true;
    } finally {
      bytes = undefined;
    }
    if (seqValues && seqCol?.type === 'INT64') {
      const scan = scanSeq(seqValues, s.min_seq, s.max_seq);
      if (scan.below + scan.above + scan.nulls > 0) {
        const parts: string[] = [];
        if (scan.below + scan.above > 0) {
          parts.push(`${scan.below + scan.above} of ${scan.count} _seq value(s) outside [${s.min_seq}, ${s.max_seq}] (actual range [${scan.min}, ${scan.max}])`);
        }
        if (scan.nulls > 0) parts.push(`${scan.nulls} null _seq value(s)`);
        this.add('violation', 'seq-out-of-range', rel, parts.join('; '), {
          segment,
          minSeq: s.min_seq.toString(),
          maxSeq: s.max_seq.toString(),
          actualMin: scan.min === null ? null : scan.min.toString(),
          actualMax: scan.max === null ? null : scan.max.toString(),
          below: scan.below,
          above: scan.above,
          nulls: scan.nulls,
        });
      }
    }
    return true;
  }
}

/** Baseline for a later `inspectDataDir(dir, { previous })` of the same DATA_DIR. */
export function baselineOf(inspection: Inspection): InspectionBaseline {
  const scopes: InspectionBaseline['scopes'] = {};
  for (const s of inspection.scopes) {
    if (s.version !== null && s.lastSequenceNumber !== null) {
      scopes[s.path] = { version: s.version, lastSequenceNumber: s.lastSequenceNumber };
    }
  }
  return { scopes };
}

/**
 * Inspect DATA_DIR/storage. Throws only when DATA_DIR itself cannot be read (the message
 * names the path); every other problem is reported as a finding.
 */
export async function inspectDataDir(dataDir: string, options: InspectOptions = {}): Promise<Inspection> {
  try {
    const st = await stat(dataDir);
    if (!st.isDirectory()) throw new Error('not a directory');
    await readdir(dataDir);
  } catch (e) {
    throw new Error(`cannot read data dir ${dataDir}: ${describe(e)}`, { cause: e });
  }
  const storageDir = join(dataDir, 'storage');
  const findings: Finding[] = [];
  const scopes: ScopeSummary[] = [];
  const inspector = new ScopeInspector(dataDir, findings, options.decode ?? 'all');

  let folders: DirEntryInfo[] = [];
  let storageExists = true;
  try {
    const st = await stat(storageDir);
    if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (e) {
    storageExists = false;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      findings.push({
        severity: 'warning',
        kind: 'no-storage-dir',
        path: 'storage',
        message: 'no storage folder: nothing has been flushed to the cold tier yet (or this is not a KalamDB data dir)',
      });
    } else {
      findings.push({ severity: 'violation', kind: 'io-error', path: 'storage', message: `cannot read storage folder: ${describe(e)}` });
    }
  }
  if (storageExists) folders = await walk(storageDir, dataDir, findings);

  /** Absolute paths named by some manifest (any status). */
  const named = new Set<string>();
  let segmentsChecked = 0;
  const foldersWithManifest = new Set<string>();

  for (const folder of folders) {
    if (!folder.files.includes(MANIFEST)) continue;
    foldersWithManifest.add(folder.dir);
    const manifestAbs = join(folder.dir, MANIFEST);
    const manifestRel = toRel(dataDir, manifestAbs);
    const scopeRel = toRel(dataDir, folder.dir);
    const depth = folder.parts.length;
    if (depth !== 2 && depth !== 3) {
      findings.push({
        severity: 'warning',
        kind: 'unexpected-manifest-location',
        path: manifestRel,
        message: `manifest.json at depth ${depth} below storage/ (expected {namespace}/{table} or {namespace}/{table}/{userId}); not checked`,
      });
      continue;
    }
    const namespace = folder.parts[0]!;
    const table = folder.parts[1]!;
    const userId = depth === 3 ? folder.parts[2]! : null;
    const summary: ScopeSummary = {
      path: scopeRel,
      namespace,
      table,
      userId,
      version: null,
      lastSequenceNumber: null,
      segments: 0,
      rows: 0,
    };
    scopes.push(summary);

    let text: string;
    try {
      text = await readFile(manifestAbs, 'utf8');
    } catch (e) {
      findings.push({ severity: 'violation', kind: 'io-error', path: manifestRel, message: `cannot read manifest: ${describe(e)}` });
      continue;
    }
    const parsed = parseManifest(text);
    if (!parsed.ok) {
      const unparseable = parsed.problem.startsWith('invalid JSON:');
      findings.push({
        severity: 'violation',
        kind: unparseable ? 'manifest-unparseable' : 'manifest-schema',
        path: manifestRel,
        message: unparseable ? `manifest is not valid JSON (${parsed.problem.slice('invalid JSON: '.length)})` : `manifest schema mismatch: ${parsed.problem}`,
        details: { problem: parsed.problem, size: Buffer.byteLength(text) },
      });
      // Still protect the files it most likely names from being reported as orphans.
      for (const f of folder.files) if (f.endsWith('.parquet')) named.add(join(folder.dir, f));
      continue;
    }
    const m = parsed.manifest;
    summary.version = m.version;
    summary.lastSequenceNumber = m.last_sequence_number.toString();
    const committed = m.segments.filter((s) => s.status === 'committed');
    summary.segments = committed.length;
    summary.rows = committed.reduce((n, s) => n + s.row_count, 0);

    inspector.checkIdentity(m, manifestRel, namespace, table, userId);
    inspector.checkSegmentList(m, manifestRel);

    const prev = options.previous?.scopes[scopeRel];
    if (prev) {
      if (m.version < prev.version) {
        findings.push({
          severity: 'violation',
          kind: 'version-regressed',
          path: manifestRel,
          message: `manifest version went backwards: ${prev.version} -> ${m.version}`,
          details: { previous: prev.version, current: m.version },
        });
      }
      let prevSeq: bigint | undefined;
      try {
        prevSeq = BigInt(prev.lastSequenceNumber);
      } catch {
        prevSeq = undefined;
      }
      // KalamDB resets last_sequence_number to 0 only when it clears a scope's segments (empty-scope
      // cleanup), which bumps the version once, as each later add_segment does: a regression with
      // fewer version steps than that cannot come from a clear.
      const stepsForClear = BigInt(prev.version) + 1n + BigInt(m.segments.length);
      if (prevSeq !== undefined && m.last_sequence_number < prevSeq && BigInt(m.version) < stepsForClear) {
        findings.push({
          severity: 'violation',
          kind: 'last-sequence-regressed',
          path: manifestRel,
          message: `last_sequence_number went backwards: ${prevSeq} -> ${m.last_sequence_number} (version ${prev.version} -> ${m.version}, too few versions for the segments to have been cleared in between)`,
          details: { previous: prevSeq.toString(), current: m.last_sequence_number.toString(), previousVersion: prev.version, version: m.version },
        });
      }
    }

    const extra: string[] = [];
    collectNamedParquet(m.files, extra);
    collectNamedParquet(m.vector_indexes, extra);
    for (const p of extra) named.add(join(folder.dir, p));

    const checkedFiles = new Set<string>();
    for (const s of m.segments) {
      const abs = join(folder.dir, s.path);
      named.add(abs);
      if (s.status !== 'committed' || checkedFiles.has(abs)) continue;
      checkedFiles.add(abs);
      // Sequential on purpose: at most one segment file is held in memory.
      if (await inspector.checkSegmentFile(s, abs)) segmentsChecked++;
    }
  }

  if (options.previous) {
    const present = new Set(scopes.map((s) => s.path));
    for (const [path, prev] of Object.entries(options.previous.scopes)) {
      if (present.has(path)) continue;
      findings.push({
        severity: 'warning',
        kind: 'scope-vanished',
        path,
        message: `scope had manifest version ${prev.version} in the baseline but has no manifest.json now`,
        details: { previousVersion: prev.version, previousLastSequenceNumber: prev.lastSequenceNumber },
      });
    }
  }

  for (const folder of folders) {
    const parquet = folder.files.filter((f) => f.endsWith('.parquet'));
    const tmps = folder.files.filter((f) => f.endsWith('.tmp'));
    for (const f of tmps) {
      findings.push({
        severity: 'warning',
        kind: 'leftover-tmp',
        path: toRel(dataDir, join(folder.dir, f)),
        message: 'leftover temporary file (an interrupted flush or manifest write)',
      });
    }
    const orphans = parquet.filter((f) => !named.has(join(folder.dir, f)));
    if (orphans.length === 0) continue;
    if (!foldersWithManifest.has(folder.dir)) {
      findings.push({
        severity: 'warning',
        kind: 'missing-manifest',
        path: toRel(dataDir, folder.dir),
        message: `folder holds ${orphans.length} parquet file(s) but no manifest.json`,
        details: { files: orphans },
      });
      continue;
    }
    for (const f of orphans) {
      findings.push({
        severity: 'warning',
        kind: 'orphan-parquet',
        path: toRel(dataDir, join(folder.dir, f)),
        message: 'parquet file not named by the manifest',
      });
    }
  }

  const violations = findings.filter((f) => f.severity === 'violation').length;
  const warnings = findings.length - violations;
  scopes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    dataDir,
    storageDir,
    scopes,
    findings,
    violations,
    warnings,
    ok: violations === 0,
    totals: {
      scopes: scopes.length,
      segments: scopes.reduce((n, s) => n + s.segments, 0),
      rows: scopes.reduce((n, s) => n + s.rows, 0),
      segmentsChecked,
    },
  };
}
