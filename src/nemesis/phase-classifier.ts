import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LandedPhase } from './flush-phase.js';
import { SEGMENT_TMP } from './file-trigger.js';

/** What one table scope folder held at one moment. */
export interface ScopeSnapshot {
  /** File names in the folder (not recursive), sorted; empty if the folder does not exist. */
  readonly files: readonly string[];
  /** Identity of each file (inode and modification time): a name reused by a new file is a new file. */
  readonly identities?: Readonly<Record<string, string>>;
  readonly exists: boolean;
  /** Segment paths the manifest lists, or undefined if there is no manifest or it cannot be read. */
  readonly manifestSegments?: readonly string[];
  /** Why the manifest could not be read, if it exists but is not valid. */
  readonly manifestError?: string;
}

const SEGMENT = /^batch-\d+\.parquet$/;

/** The segment paths of a manifest's `segments[]`, or throws if it does not have that shape. */
export function manifestSegmentPaths(manifest: unknown): string[] {
  if (typeof manifest !== 'object' || manifest === null) throw new Error('manifest is not an object');
  const segments = (manifest as { segments?: unknown }).segments;
  if (!Array.isArray(segments)) throw new Error('manifest has no segments[] array');
  return segments.flatMap((segment: unknown) => {
    if (typeof segment !== 'object' || segment === null) return [];
    const path = (segment as { path?: unknown }).path;
    return typeof path === 'string' ? [path] : [];
  });
}

/**
 * Reads a scope folder. Take it right after the kill and before the restart: the server may clean
 * leftover `.tmp` files and orphan segments when it starts.
 */
export async function snapshotScope(scopeDir: string): Promise<ScopeSnapshot> {
  let files: string[];
  try {
    files = (await readdir(scopeDir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], exists: false };
    throw error;
  }
  const identities: Record<string, string> = {};
  for (const name of files) {
    const info = await stat(join(scopeDir, name)).catch(() => undefined);
    if (info) identities[name] = `${info.ino}:${info.mtimeMs}:${info.size}`;
  }
  if (!files.includes('manifest.json')) return { files, identities, exists: true };
  try {
    const text = await readFile(join(scopeDir, 'manifest.json'), 'utf8');
    return { files, identities, exists: true, manifestSegments: manifestSegmentPaths(JSON.parse(text)) };
  } catch (error) {
    return { files, identities, exists: true, manifestError: error instanceof Error ? error.message : String(error) };
  }
}

/** A segment path as the manifest names it, reduced to its file name (it may be relative to the scope). */
function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/**
 * How far the flush got when the server died, from two snapshots of the scope folder (before the
 * flush, and right after the kill) and, if known, the flush job's last status.
 * Only the furthest step counts: a new segment named by the manifest beats a new unnamed one, which
 * beats a new `.tmp` (or the binary's `.tmp#K`, the same temp file before its object store renamed it).
 */
export function classifyLandedPhase(before: ScopeSnapshot, after: ScopeSnapshot, job?: { status: string }): LandedPhase {
  // A file is old only if the same file (not just the same name) was there before: a flush that
  // reuses the name of an orphan segment left by an earlier crash writes a new file under it.
  const isOld = (name: string) =>
    before.files.includes(name) && (before.identities?.[name] === undefined || before.identities[name] === after.identities?.[name]);
  const beforeNamed = new Set((before.manifestSegments ?? []).map(fileName));
  const afterNamed = new Set((after.manifestSegments ?? []).map(fileName));
  const newSegments = after.files.filter((name) => SEGMENT.test(name) && !isOld(name));
  const newlyNamed = [...afterNamed].filter((name) => !beforeNamed.has(name));
  const status = job?.status.toLowerCase();

  if (newlyNamed.length > 0) return status === 'completed' ? 'flush-completed' : 'manifest-written';
  if (newSegments.length > 0) return 'segment-renamed';
  if (after.files.some((name) => SEGMENT_TMP.test(name) && !isOld(name))) return 'tmp-written';
  if (status === 'completed') return 'flush-completed';
  if (status === 'running' || status === 'retrying' || status === 'failed') return 'job-running';
  return 'before-flush';
}
