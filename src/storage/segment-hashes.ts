/**
 * Content hashes of the segments the manifests of a data directory commit.
 *
 * Deliberately lenient about the manifest: only `version` and `segments[].path/status` are read,
 * so a manifest the inspector rejects for other reasons still has its segments hashed.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { SegmentHash } from '../vocabulary/events.js';

export type { SegmentHash } from '../vocabulary/events.js';

interface ManifestSegments {
  version: number | null;
  committed: string[];
}

function committedSegmentsOf(text: string): ManifestSegments | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const manifest = parsed as { version?: unknown; segments?: unknown };
  const version = typeof manifest.version === 'number' && Number.isSafeInteger(manifest.version) ? manifest.version : null;
  const segments = Array.isArray(manifest.segments) ? manifest.segments : [];
  const committed = segments.flatMap((segment: unknown) => {
    const { path, status } = (segment ?? {}) as { path?: unknown; status?: unknown };
    if (typeof path !== 'string' || status !== 'committed') return [];
    const normal = posix.normalize(path.replace(/\\/g, '/'));
    // Only files inside the manifest's own folder: a path escaping it is the inspector's business.
    return normal.startsWith('../') || normal.startsWith('/') ? [] : [normal];
  });
  return { version, committed: [...new Set(committed)] };
}

/** Every folder below `storageDir` holding a manifest.json, relative to the data directory. */
async function manifestFolders(dataDir: string): Promise<string[]> {
  const found: string[] = [];
  const stack = ['storage'];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    const entries = await readdir(join(dataDir, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isDirectory()) stack.push(posix.join(rel, entry.name));
      else if (entry.name === 'manifest.json') found.push(rel);
    }
  }
  return found.sort();
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * sha256 and size of every committed segment file that exists, one file in memory at a time.
 * Unreadable manifests and missing files are skipped: the storage inspection reports those.
 */
export async function hashCommittedSegments(dataDir: string): Promise<SegmentHash[]> {
  const hashes: SegmentHash[] = [];
  for (const scope of await manifestFolders(dataDir)) {
    const text = await readFile(join(dataDir, scope, 'manifest.json'), 'utf8').catch(() => undefined);
    const manifest = text === undefined ? undefined : committedSegmentsOf(text);
    if (!manifest) continue;
    for (const file of manifest.committed) {
      const bytes = await readFile(join(dataDir, scope, file)).catch(() => undefined);
      if (!bytes) continue;
      hashes.push({ scope, file, sha256: sha256Of(bytes), size: bytes.byteLength, manifestVersion: manifest.version });
    }
  }
  return hashes;
}

/** The segment files each scope's manifest.json commits, for telling whether a file is still named. */
export async function committedSegmentNames(dataDir: string): Promise<Map<string, Set<string>>> {
  const named = new Map<string, Set<string>>();
  for (const scope of await manifestFolders(dataDir)) {
    const text = await readFile(join(dataDir, scope, 'manifest.json'), 'utf8').catch(() => undefined);
    const manifest = text === undefined ? undefined : committedSegmentsOf(text);
    named.set(scope, new Set(manifest?.committed ?? []));
  }
  return named;
}
