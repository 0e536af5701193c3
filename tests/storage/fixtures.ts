/** Builders for fake KalamDB data dirs (cold tier only), written with the repo's parquet writer. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { encodeSegment, type SegmentColumn } from '../../src/parquet/segment-writer.js';
import { stringifyManifest, type Manifest, type Segment } from '../../src/storage/manifest-schema.js';

export interface SegmentSpec {
  /** Batch number N of batch-N.parquet. */
  batch: number;
  seqs: bigint[];
  status?: Segment['status'];
  /** Drop these system columns from the parquet file. */
  omit?: ('_seq' | '_deleted')[];
}

export interface ScopeSpec {
  namespace: string;
  table: string;
  userId?: string | null;
  version?: number;
  segments: SegmentSpec[];
}

export interface BuiltScope {
  dir: string;
  manifest: Manifest;
  /** Rewrite manifest.json after tweaking `manifest`. */
  save(): Promise<void>;
}

export function scopeDir(dataDir: string, spec: { namespace: string; table: string; userId?: string | null }): string {
  const base = join(dataDir, 'storage', spec.namespace, spec.table);
  return spec.userId ? join(base, spec.userId) : base;
}

export async function segmentBytes(seqs: bigint[], omit: string[] = []): Promise<Uint8Array> {
  const columns: SegmentColumn[] = [
    { name: 'id', type: 'INT64', values: seqs.map((_, k) => BigInt(k)) },
    { name: 'name', type: 'UTF8', values: seqs.map((s) => `row-${s}`) },
    { name: '_seq', type: 'INT64', values: seqs },
    { name: '_deleted', type: 'BOOLEAN', values: seqs.map((s) => s % 7n === 0n) },
  ];
  return encodeSegment(
    columns.filter((c) => !omit.includes(c.name)),
    seqs.length,
  );
}

export async function buildScope(dataDir: string, spec: ScopeSpec): Promise<BuiltScope> {
  const dir = scopeDir(dataDir, spec);
  await mkdir(dir, { recursive: true });
  const segments: Segment[] = [];
  for (const s of spec.segments) {
    const bytes = await segmentBytes(s.seqs, s.omit);
    const path = `batch-${s.batch}.parquet`;
    await writeFile(join(dir, path), bytes);
    const min = s.seqs.reduce((a, b) => (b < a ? b : a));
    const max = s.seqs.reduce((a, b) => (b > a ? b : a));
    // The shape KalamDB 0.4.3 writes: id is the file name, column_stats keyed by column id.
    segments.push({
      id: path,
      path,
      min_seq: min,
      max_seq: max,
      row_count: s.seqs.length,
      size_bytes: bytes.byteLength,
      created_at: 1_700_000_000_000 + s.batch,
      schema_version: 1,
      status: s.status ?? 'committed',
      column_stats: { '1': { min: { Int64: '0' }, max: { Int64: String(s.seqs.length - 1) }, null_count: 0 } },
    });
  }
  // last_sequence_number is the highest batch number, not a _seq.
  const last = spec.segments.reduce((m, s) => (BigInt(s.batch) > m ? BigInt(s.batch) : m), 0n);
  const manifest: Manifest = {
    table_id: { namespace_id: spec.namespace, table_name: spec.table },
    user_id: spec.userId ?? null,
    version: spec.version ?? segments.length + 1,
    created_at: 1_700_000_000_000,
    updated_at: 1_700_000_100_000,
    last_sequence_number: last,
    segments,
    files: null,
    vector_indexes: {},
  };
  const built: BuiltScope = {
    dir,
    manifest,
    save: () => writeFile(join(dir, 'manifest.json'), stringifyManifest(manifest)),
  };
  await built.save();
  return built;
}

export function seqRange(from: number, count: number): bigint[] {
  return Array.from({ length: count }, (_, i) => BigInt(from + i));
}

/** A healthy data dir: one SHARED table and one USER table with two users. */
export async function buildHealthy(dataDir: string): Promise<{ shared: BuiltScope; alice: BuiltScope; bob: BuiltScope }> {
  await mkdir(join(dataDir, 'rocksdb'), { recursive: true });
  await writeFile(join(dataDir, 'rocksdb', 'CURRENT'), 'MANIFEST-000001\n');
  const shared = await buildScope(dataDir, {
    namespace: 'app',
    table: 'events',
    segments: [
      { batch: 1, seqs: seqRange(1, 50) },
      { batch: 2, seqs: seqRange(51, 30) },
    ],
  });
  const alice = await buildScope(dataDir, {
    namespace: 'app',
    table: 'notes',
    userId: 'alice',
    segments: [{ batch: 1, seqs: seqRange(100, 20) }],
  });
  const bob = await buildScope(dataDir, {
    namespace: 'app',
    table: 'notes',
    userId: 'bob',
    segments: [
      { batch: 1, seqs: seqRange(200, 5) },
      { batch: 2, seqs: seqRange(205, 5) },
      { batch: 3, seqs: seqRange(210, 5) },
    ],
  });
  return { shared, alice, bob };
}
