import { createHash } from 'node:crypto';
import { copyFile, lstat, mkdir, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Random } from '../util/random.js';
import { parseJsonExact, stringifyJsonExact } from '../storage/json.js';
import type { AppliedCorruption } from '../vocabulary/faults.js';

export const MANIFEST_CORRUPTIONS = [
  'truncate',
  'zero-range',
  'invalid-json',
  'delete',
  'bit-flip',
  'drop-segment',
  'missing-file-segment',
  'duplicate-segment',
  'rollback',
  'row-count',
  'size-bytes',
  'empty',
] as const;
export const PARQUET_CORRUPTIONS = ['truncate', 'footer', 'data-page', 'delete', 'orphan'] as const;

export type ManifestCorruption = (typeof MANIFEST_CORRUPTIONS)[number];
export type ParquetCorruption = (typeof PARQUET_CORRUPTIONS)[number];
export type Corruption = { readonly file: 'manifest'; readonly kind: ManifestCorruption } | { readonly file: 'parquet'; readonly kind: ParquetCorruption };

export const ALL_CORRUPTIONS: readonly Corruption[] = [
  ...MANIFEST_CORRUPTIONS.map((kind): Corruption => ({ file: 'manifest', kind })),
  ...PARQUET_CORRUPTIONS.map((kind): Corruption => ({ file: 'parquet', kind })),
];

export function describeCorruption(corruption: Corruption): string {
  return `${corruption.file}:${corruption.kind}`;
}

export type { AppliedCorruption } from '../vocabulary/faults.js';

/** Older versions of each manifest, captured at earlier cycles, for the rollback corruption. */
export type ManifestArchive = Map<string, string[]>;

export async function archiveManifests(dataDir: string, archive: ManifestArchive): Promise<void> {
  for (const path of await listFiles(join(dataDir, 'storage'), (name) => name === 'manifest.json')) {
    const text = await readFile(path, 'utf8');
    const key = relative(dataDir, path);
    const versions = archive.get(key) ?? [];
    if (versions.at(-1) !== text) versions.push(text);
    archive.set(key, versions);
  }
}

export class NothingToCorrupt extends Error {
  override name = 'NothingToCorrupt';
}

/**
 * Damages one file of the cold tier, chosen by the seed, after copying the original to `keepDir`.
 * Deterministic for a given seed and data directory contents.
 */
export async function applyCorruption(options: {
  readonly dataDir: string;
  readonly runDir: string;
  readonly keepDir: string;
  readonly corruption: Corruption;
  readonly random: Random;
  readonly archive: ManifestArchive;
  /** Which manifests (by path relative to the data directory) may be damaged; absent: all. */
  readonly within?: (relativePath: string) => boolean;
}): Promise<AppliedCorruption> {
  const { dataDir, corruption, random } = options;
  const manifests = (await listFiles(join(dataDir, 'storage'), (name) => name === 'manifest.json'))
    .filter((path) => options.within?.(relative(dataDir, path)) ?? true)
    .sort();
  const withSegments: { path: string; manifest: ManifestLike }[] = [];
  for (const path of manifests) {
    try {
      // Exact integers: KalamDB's 64-bit _seq bounds must survive the rewrite unchanged.
      const manifest = parseJsonExact(await readFile(path, 'utf8')) as unknown as ManifestLike;
      if (Array.isArray(manifest.segments) && manifest.segments.length > 0) withSegments.push({ path, manifest });
    } catch {
      // an unparseable manifest has no segments to aim at
    }
  }
  if (withSegments.length === 0) throw new NothingToCorrupt(`no manifest with segments under ${join(dataDir, 'storage')}`);

  let target: string;
  let damaged: Buffer | null;
  let detail: string;
  if (corruption.file === 'manifest') {
    let candidates = withSegments;
    if (corruption.kind === 'rollback') {
      candidates = withSegments.filter(({ path }) => (options.archive.get(relative(dataDir, path))?.length ?? 0) >= 1);
      if (candidates.length === 0) throw new NothingToCorrupt('no older manifest version has been archived yet');
    }
    const chosen = random.pick(candidates);
    target = chosen.path;
    ({ bytes: damaged, detail } = damageManifest(corruption.kind, await readFile(target), chosen.manifest, random, options.archive.get(relative(dataDir, target)) ?? []));
  } else {
    const segments = withSegments.flatMap(({ path, manifest }) => manifest.segments.map((segment) => join(dirname(path), String(segment.path))));
    const chosen = random.pick(segments);
    await assertInsideStorage(dataDir, chosen);
    if (corruption.kind === 'orphan') {
      const highest = Math.max(...(await readdir(dirname(chosen))).map((name) => Number(/^batch-(\d+)\.parquet$/.exec(name)?.[1] ?? -1)));
      target = join(dirname(chosen), `batch-${highest + 100}.parquet`);
      await copyFile(chosen, target);
      const hash = sha256(await readFile(target));
      return { corruption, path: relative(dataDir, target), detail: `copy of ${relative(dataDir, chosen)} that no manifest names`, sha256Before: null, sha256After: hash, original: null };
    }
    target = chosen;
    ({ bytes: damaged, detail } = damageParquet(corruption.kind, await readFile(target), random));
  }

  await assertInsideStorage(dataDir, target);
  const original = await readFile(target);
  const keep = join(options.keepDir, relative(dataDir, target));
  await mkdir(dirname(keep), { recursive: true });
  await writeFile(keep, original);
  if (damaged === null) await rm(target);
  else await writeFile(target, damaged);
  return {
    corruption,
    path: relative(dataDir, target),
    detail,
    sha256Before: sha256(original),
    sha256After: damaged === null ? null : sha256(damaged),
    original: relative(options.runDir, keep),
  };
}

/**
 * The one promise a corruptor must keep: it damages nothing outside the data directory's cold tier.
 * A manifest can name any path (`../../x`) and any name can be a symbolic link, so the real path
 * of the target must be a regular file under DATA_DIR/storage.
 */
async function assertInsideStorage(dataDir: string, target: string): Promise<void> {
  const storage = await realpath(join(dataDir, 'storage'));
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    throw new NothingToCorrupt(`${target} does not exist`);
  }
  const info = await lstat(target);
  if (!info.isFile() || (real !== storage && !real.startsWith(storage + sep))) {
    throw new Error(`refusing to damage ${target}: it is not a regular file inside ${storage}`);
  }
}

/** Puts the original back (or removes an added orphan) so the campaign can go on from a sound state. */
export async function undoCorruption(applied: AppliedCorruption, dataDir: string, runDir: string): Promise<void> {
  const target = join(dataDir, applied.path);
  if (applied.original === null) await rm(target, { force: true });
  else await copyFile(join(runDir, applied.original), target);
}

interface ManifestLike {
  version?: number;
  segments: Record<string, unknown>[];
  [key: string]: unknown;
}

function damageManifest(kind: ManifestCorruption, bytes: Buffer, manifest: ManifestLike, random: Random, older: string[]): { bytes: Buffer | null; detail: string } {
  const rewrite = (change: (m: ManifestLike) => string) => {
    const copy = structuredClone(manifest);
    const detail = change(copy);
    // The binary's compact one-line shape, only the named field changed.
    return { bytes: Buffer.from(stringifyJsonExact(copy)), detail };
  };
  const segmentIndex = random.int(0, manifest.segments.length - 1);
  switch (kind) {
    case 'truncate': {
      const at = random.int(1, bytes.length - 1);
      return { bytes: bytes.subarray(0, at), detail: `truncated to ${at} of ${bytes.length} bytes` };
    }
    case 'zero-range': {
      const length = random.int(8, Math.min(64, bytes.length));
      const at = random.int(0, bytes.length - length);
      const copy = Buffer.from(bytes);
      copy.fill(0, at, at + length);
      return { bytes: copy, detail: `zeroed bytes ${at}..${at + length - 1}` };
    }
    case 'invalid-json':
      return { bytes: Buffer.from('{"table_id": {"namespace_id": <<not json>>'), detail: 'replaced with invalid JSON' };
    case 'delete':
      return { bytes: null, detail: 'deleted' };
    case 'bit-flip': {
      const copy = Buffer.from(bytes);
      const flips: number[] = [];
      for (let i = random.int(1, 4); i > 0; i--) {
        const bit = random.int(0, copy.length * 8 - 1);
        copy[bit >> 3] = copy[bit >> 3]! ^ (1 << (bit & 7));
        flips.push(bit);
      }
      return { bytes: copy, detail: `flipped bit(s) ${flips.join(', ')}` };
    }
    case 'drop-segment':
      return rewrite((m) => `dropped segment ${String(m.segments.splice(segmentIndex, 1)[0]?.path)}`);
    case 'missing-file-segment':
      return rewrite((m) => {
        m.segments.push({ ...m.segments[segmentIndex], id: 'batch-9999', path: 'batch-9999.parquet' });
        return 'added segment batch-9999.parquet, which does not exist';
      });
    case 'duplicate-segment':
      return rewrite((m) => {
        m.segments.push(structuredClone(m.segments[segmentIndex]!));
        return `listed segment ${String(m.segments[segmentIndex]?.path)} twice`;
      });
    case 'rollback': {
      const current = bytes.toString('utf8');
      const previous = [...older].reverse().find((text) => text !== current) ?? older[0]!;
      return { bytes: Buffer.from(previous), detail: `rolled back to an archived version (${older.length} archived)` };
    }
    case 'row-count':
      return rewrite((m) => {
        const segment = m.segments[segmentIndex]!;
        const delta = random.int(1, 5);
        segment.row_count = Number(segment.row_count) + delta;
        return `row_count of ${String(segment.path)} increased by ${delta}`;
      });
    case 'size-bytes':
      return rewrite((m) => {
        const segment = m.segments[segmentIndex]!;
        const delta = random.int(1, 100);
        segment.size_bytes = Number(segment.size_bytes) + delta;
        return `size_bytes of ${String(segment.path)} increased by ${delta}`;
      });
    case 'empty':
      return { bytes: Buffer.alloc(0), detail: 'emptied' };
  }
}

function damageParquet(kind: Exclude<ParquetCorruption, 'orphan'>, bytes: Buffer, random: Random): { bytes: Buffer | null; detail: string } {
  const footerLength = bytes.length >= 12 ? bytes.readUInt32LE(bytes.length - 8) : 0;
  const footerStart = Math.max(4, bytes.length - 8 - footerLength);
  switch (kind) {
    case 'truncate': {
      const at = random.int(Math.floor(bytes.length * 0.1), Math.floor(bytes.length * 0.9));
      return { bytes: bytes.subarray(0, at), detail: `truncated to ${at} of ${bytes.length} bytes` };
    }
    case 'footer': {
      // The head of the footer (FileMetaData's version and schema): damage anywhere else may land in
      // statistics or key/value metadata nobody needs, and test nothing.
      const copy = Buffer.from(bytes);
      for (let i = 0; i < 16 && footerStart + i < bytes.length - 8; i++) copy[footerStart + i] = random.int(0, 255);
      return { bytes: copy, detail: `overwrote the first 16 bytes of the footer at ${footerStart} (footer ${footerStart}..${bytes.length - 9})` };
    }
    case 'data-page': {
      const copy = Buffer.from(bytes);
      const offsets: number[] = [];
      for (let i = 0; i < 8; i++) {
        const at = random.int(4, footerStart - 1);
        copy[at] = copy[at]! ^ 0xff;
        offsets.push(at);
      }
      return { bytes: copy, detail: `inverted bytes ${offsets.join(', ')} in the data pages (before the footer at ${footerStart})` };
    }
    case 'delete':
      return { bytes: null, detail: 'deleted' };
  }
}

async function listFiles(root: string, match: (name: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) found.push(...(await listFiles(path, match)));
    else if (entry.isFile() && match(entry.name)) found.push(path);
  }
  return found;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
