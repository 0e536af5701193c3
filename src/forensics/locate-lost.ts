/**
 * Loss forensics: for acknowledged rows a run lost, find where they were last seen on disk by
 * reading every parquet file of their scope in each crash snapshot and in the live data directory.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { execa } from 'execa';
import { readParquetRows } from '../parquet/segment-reader.js';
import { committedSegmentNames } from '../storage/segment-hashes.js';
import type { LossForensics, LostPlacement, LostRange, ScopeForensics, SegmentLocation } from './types.js';

export interface LostScope {
  /** Qualified "namespace.table". */
  readonly table: string;
  readonly partition: string | null;
  readonly ids: readonly number[];
}

/** One crash snapshot as the run recorded it: taken (absolute path) or skipped with a reason. */
export interface SnapshotRecord {
  readonly cycle: number;
  readonly path?: string;
  readonly skipped?: string;
}

export interface ForensicsInput {
  readonly lost: readonly LostScope[];
  /** The data directory as the run left it. */
  readonly liveDataDir: string;
  readonly snapshots: readonly SnapshotRecord[];
  /** Crashes the run went through (each should have a snapshot); cycles without one make the search incomplete. */
  readonly crashCycles: readonly number[];
  /** Set when the run kept no snapshots at all. */
  readonly snapshotsOff?: string;
  readonly deadlineMs: number;
}

interface Sighting {
  readonly snapshotCycle: number | null;
  readonly scope: string;
  readonly file: string;
  readonly namedThen: boolean;
}

export function scopeFolder(table: string, partition: string | null): string {
  const dot = table.indexOf('.');
  const [namespace, name] = dot < 0 ? ['', table] : [table.slice(0, dot), table.slice(dot + 1)];
  return posix.join('storage', namespace, name, ...(partition === null ? [] : [partition]));
}

const isSegmentFile = (name: string): boolean => name.endsWith('.parquet') || name.endsWith('.parquet.tmp');

/** Ids held by each parquet file of a scope folder; unreadable files are listed, not thrown. */
async function idsByFile(dataDir: string, scope: string, unreadable: string[], label: string, expired: () => boolean): Promise<Map<string, Set<number>>> {
  const files = new Map<string, Set<number>>();
  const names = (await readdir(join(dataDir, scope)).catch(() => [] as string[])).filter(isSegmentFile).sort();
  for (const name of names) {
    if (expired()) break;
    try {
      const rows = await readParquetRows(await readFile(join(dataDir, scope, name)));
      files.set(name, new Set(rows.flatMap((row) => (typeof row.id === 'bigint' || typeof row.id === 'number' ? [Number(row.id)] : []))));
    } catch (error) {
      unreadable.push(`${label}: ${scope}/${name}: ${(error as Error).message}`);
    }
  }
  return files;
}

/** A file the manifest commits beats an orphan; among equals the highest batch number wins. */
function preferred(a: Sighting, b: Sighting): Sighting {
  if (a.namedThen !== b.namedThen) return a.namedThen ? a : b;
  const batch = (file: string) => Number(/(\d+)/.exec(file)?.[1] ?? -1);
  return batch(b.file) >= batch(a.file) ? b : a;
}

class Search {
  readonly last = new Map<string, Map<number, Sighting>>();
  readonly counts = new Map<string, Map<number, number>>();
  readonly unreadable: string[] = [];
  liveFiles = new Map<string, Map<string, Set<number>>>();
  liveNamed = new Map<string, Set<string>>();

  constructor(
    private readonly lost: readonly LostScope[],
    readonly expired: () => boolean,
  ) {}

  async searchDataDir(dataDir: string, snapshotCycle: number | null): Promise<void> {
    const named = await committedSegmentNames(dataDir);
    const label = snapshotCycle === null ? 'live data dir' : `snapshot cycle-${snapshotCycle}`;
    for (const scope of this.lost) {
      const folder = scopeFolder(scope.table, scope.partition);
      const files = await idsByFile(dataDir, folder, this.unreadable, label, this.expired);
      if (snapshotCycle === null) this.liveFiles.set(folder, files);
      const last = this.last.get(folder) ?? new Map<number, Sighting>();
      const counts = this.counts.get(folder) ?? new Map<number, number>();
      this.last.set(folder, last);
      this.counts.set(folder, counts);
      for (const id of scope.ids) {
        let best: Sighting | undefined;
        for (const [file, ids] of files) {
          if (!ids.has(id)) continue;
          const sighting = { snapshotCycle, scope: folder, file, namedThen: named.get(folder)?.has(file) ?? false };
          best = best ? preferred(best, sighting) : sighting;
        }
        if (!best) continue;
        last.set(id, best);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    if (snapshotCycle === null) this.liveNamed = named;
  }

  placement(folder: string, id: number, incomplete: string | undefined): LostPlacement {
    const seen = this.last.get(folder)?.get(id);
    if (!seen) return incomplete ? { kind: 'unseen', reason: incomplete } : { kind: 'hot-only' };
    const location: SegmentLocation = {
      snapshotCycle: seen.snapshotCycle,
      path: `${seen.scope}/${seen.file}`,
      namedByManifestThen: seen.namedThen,
      namedByCurrentManifest: this.liveNamed.get(seen.scope)?.has(seen.file) ?? false,
      stillInLiveFile: this.liveFiles.get(seen.scope)?.get(seen.file)?.has(id) ?? false,
    };
    return { kind: 'segment', last: location, sightings: this.counts.get(folder)?.get(id) ?? 1 };
  }
}

/** Consecutive lost ids (in id order) with the same placement form one range. */
export function groupRanges(ids: readonly number[], placementOf: (id: number) => LostPlacement): LostRange[] {
  const ranges: LostRange[] = [];
  for (const id of [...ids].sort((a, b) => a - b)) {
    const placement = placementOf(id);
    const previous = ranges[ranges.length - 1];
    if (previous && JSON.stringify(previous.placement) === JSON.stringify(placement)) {
      ranges[ranges.length - 1] = { ...previous, last: id, count: previous.count + 1 };
    } else {
      ranges.push({ first: id, last: id, count: 1, placement });
    }
  }
  return ranges;
}

async function withUnpacked<T>(archive: string, timeoutMs: number, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kalam-chaos-forensics-'));
  try {
    const tar = await execa('tar', ['-xzf', archive, '-C', dir], { reject: false, timeout: Math.max(1_000, timeoutMs) });
    if (tar.exitCode !== 0) throw new Error(`cannot unpack ${archive}: ${String(tar.stderr).trim().split('\n')[0] || `tar exit ${tar.exitCode}`}`);
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Where each lost id was last seen: a segment of a crash snapshot or of the live data dir, or only the hot tier. */
export async function locateLostRows(input: ForensicsInput): Promise<LossForensics> {
  const started = Date.now();
  const deadline = started + input.deadlineMs;
  const search = new Search(input.lost, () => Date.now() > deadline);
  const incomplete: string[] = [];
  if (input.snapshotsOff) incomplete.push(input.snapshotsOff);
  const snapshotsSearched: number[] = [];
  const taken = new Set<number>();
  for (const snapshot of [...input.snapshots].sort((a, b) => a.cycle - b.cycle)) {
    if (!snapshot.path) {
      incomplete.push(`no snapshot of cycle ${snapshot.cycle}: ${snapshot.skipped ?? 'not taken'}`);
      continue;
    }
    if (search.expired()) {
      incomplete.push(`snapshot of cycle ${snapshot.cycle} not searched: the ${input.deadlineMs} ms budget ran out`);
      continue;
    }
    try {
      await withUnpacked(snapshot.path, deadline - Date.now(), (dir) => search.searchDataDir(dir, snapshot.cycle));
      snapshotsSearched.push(snapshot.cycle);
      taken.add(snapshot.cycle);
    } catch (error) {
      incomplete.push(`snapshot of cycle ${snapshot.cycle} not searched: ${(error as Error).message}`);
    }
  }
  const recorded = new Set(input.snapshots.map((snapshot) => snapshot.cycle));
  const missing = input.crashCycles.filter((cycle) => !recorded.has(cycle));
  if (missing.length && !input.snapshotsOff) incomplete.push(`no snapshot recorded for crash cycle(s) ${missing.join(', ')}`);
  await search.searchDataDir(input.liveDataDir, null);
  if (search.expired()) incomplete.push(`the ${input.deadlineMs} ms budget ran out before every file was read`);
  const reason = incomplete.length ? incomplete.join('; ') : undefined;
  const scopes: ScopeForensics[] = input.lost.map((scope) => {
    const folder = scopeFolder(scope.table, scope.partition);
    return { table: scope.table, partition: scope.partition, ranges: groupRanges(scope.ids, (id) => search.placement(folder, id, reason)) };
  });
  return {
    scopes,
    snapshotsSearched,
    liveSearched: true,
    incomplete,
    unreadableFiles: search.unreadable,
    durationMs: Date.now() - started,
  };
}

/** The ranges of one lost violation, cut from its scope's forensics (whose ranges cover every lost id of the scope). */
export function forensicsForIds(scope: ScopeForensics | undefined, ids: readonly number[]): LostRange[] {
  if (!scope) return [];
  const placementOf = (id: number): LostPlacement =>
    scope.ranges.find((range) => range.first <= id && id <= range.last)?.placement ?? { kind: 'unseen', reason: 'not in the forensics' };
  return groupRanges(ids, placementOf);
}

