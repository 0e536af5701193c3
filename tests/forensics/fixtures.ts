/** Tiny KalamDB-shaped scopes for the forensics tests: real parquet segments and lenient manifests. */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeSegment } from '../../src/parquet/segment-writer.js';

export const SCOPE = 'storage/chaos/user_rows/alice';

export async function segment(ids: number[], seqBase = 1000): Promise<Uint8Array> {
  return encodeSegment(
    [
      { name: 'id', type: 'INT64', values: ids.map(BigInt) },
      { name: 'payload', type: 'UTF8', values: ids.map((id) => `p${id}`) },
      { name: '_seq', type: 'INT64', values: ids.map((id) => BigInt(seqBase + id)) },
      { name: '_deleted', type: 'BOOLEAN', values: ids.map(() => false) },
    ],
    ids.length,
  );
}

export interface FileSpec {
  readonly ids: number[];
  /** Whether manifest.json commits it (default true). */
  readonly committed?: boolean;
  readonly seqBase?: number;
}

/** Replaces the scope folder with exactly these files and a manifest committing those marked so. */
export async function writeScope(dataDir: string, files: Record<string, FileSpec>, version: number, scope = SCOPE): Promise<void> {
  const dir = join(dataDir, scope);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const segments = [];
  for (const [name, spec] of Object.entries(files)) {
    const bytes = await segment(spec.ids, spec.seqBase);
    await writeFile(join(dir, name), bytes);
    if (spec.committed !== false) segments.push({ id: name, path: name, status: 'committed', row_count: spec.ids.length, size_bytes: bytes.byteLength });
  }
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ table_id: 'chaos.user_rows', user_id: 'alice', version, segments, last_sequence_number: 1 }));
}
