import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { columnStats, emptyManifest, encodeRows, manifestDigest, manifestText, ensureDir, MANIFEST, mergeIntoScope, nextBatchNumber, scopeDir, withSegment, writeDurably, writeManifestAtomically, type ColdScope, type Manifest } from './cold-tier.js';
import type { DefectName } from './defects.js';
import { applyRecord, tableKey, type DatabaseState, type JobRecord, type StoredRow, type TableState, type WalRecord } from './state.js';
import { syncDirectory, type WriteAheadLog } from './wal.js';
import { VersionedRows } from './versioned-rows.js';

export interface FlusherOptions {
  readonly dataDir: string;
  readonly state: DatabaseState;
  readonly wal: WriteAheadLog;
  /** Cold scopes per table key, then partition. */
  readonly cold: Map<string, Map<string, ColdScope>>;
  readonly defects: ReadonlySet<DefectName>;
  /** Pause between the steps of a flush, to widen crash windows in tests. */
  readonly flushDelayMs: number;
  readonly log: Logger;
}

/** What asking for a flush of one table did, as KalamDB's STORAGE FLUSH TABLE tells it. */
export type FlushRequest =
  | { readonly kind: 'started'; readonly jobId: string }
  | { readonly kind: 'already-queued'; readonly jobId: string }
  | { readonly kind: 'no-pending-writes' };

export interface Flusher {
  /** Queues a flush job for the table unless it has no hot rows or a job is already queued or running. */
  enqueue(table: TableState): Promise<FlushRequest>;
  /** Runs a job that was still queued when the server last stopped (KalamDB leaves those queued). */
  resume(job: JobRecord): void;
  /** Resolves when no job is running or queued. */
  idle(): Promise<void>;
  /** stuck-flush-after-restart: a job of the table left queued or running by an earlier incarnation. */
  staleJobOf(table: TableState): JobRecord | undefined;
}

/**
 * Runs flush jobs one at a time, in KalamDB's order (INTERFACE.md, "Flush order"), for each scope
 * of the table: batch-N.parquet.tmp written and fsync'd → renamed to batch-N.parquet → manifest.json
 * replaced atomically → the flushed rows deleted from the hot tier. Each job is a durable record
 * in system.jobs: queued → running → completed | failed.
 */
export function createFlusher(options: FlusherOptions): Flusher {
  const { state, wal, log } = options;
  const queue: string[] = [];
  let running: Promise<void> | undefined;

  const commit = (record: WalRecord) => wal.append(record, () => applyRecord(state, record));
  const pause = () => (options.flushDelayMs > 0 ? new Promise<void>((resolve) => setTimeout(resolve, options.flushDelayMs)) : Promise.resolve());
  const updateJob = (job: JobRecord, change: Partial<JobRecord>) => commit({ op: 'job', job: { ...job, ...change } });

  async function enqueue(table: TableState): Promise<FlushRequest> {
    const { namespace, name } = table.definition;
    if ([...table.partitions.values()].every((rows) => rows.size === 0)) return { kind: 'no-pending-writes' };
    const pending = [...state.jobs.values()].find(
      (job) => job.namespace === namespace && job.table === name && (job.status === 'queued' || job.status === 'running') && queue.includes(job.jobId),
    );
    if (pending) return { kind: 'already-queued', jobId: pending.jobId };
    const jobId = newFlushJobId(state);
    const now = Date.now();
    const job: JobRecord = {
      jobId,
      jobType: 'flush',
      status: 'queued',
      namespace,
      table: name,
      tableType: table.definition.type === 'user' ? 'User' : 'Shared',
      message: null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
      retryCount: 0,
    };
    await commit({ op: 'job', job });
    schedule(jobId);
    return { kind: 'started', jobId };
  }

  function schedule(jobId: string): void {
    queue.push(jobId);
    running ??= drain().finally(() => {
      running = undefined;
    });
  }

  async function drain(): Promise<void> {
    for (let jobId = queue[0]; jobId !== undefined; jobId = queue[0]) {
      const queued = state.jobs.get(jobId);
      if (queued) await run(queued);
      queue.shift();
    }
  }

  async function run(queued: JobRecord): Promise<void> {
    const startedAt = Date.now();
    const job: JobRecord = { ...queued, status: 'running', startedAt, updatedAt: startedAt };
    await updateJob(queued, job);
    log.info({ jobId: job.jobId, table: `${job.namespace}.${job.table}` }, 'flush job running');
    await pause();
    try {
      const table = state.tables.get(tableKey(job.namespace, job.table));
      if (!table) throw new Error(`table ${job.namespace}.${job.table} no longer exists`);
      let flushed = 0;
      let files = 0;
      for (const partition of [...table.partitions.keys()]) {
        const written = await flushScope(table, partition);
        if (written === undefined) continue;
        flushed += written.liveRows;
        files += 1;
      }
      const finishedAt = Date.now();
      // KalamDB stores a job's result as JSON text in `message`.
      const message = JSON.stringify({ message: `Flushed ${job.namespace}:${job.table} successfully (${flushed} rows, ${files} files)` });
      await updateJob(job, { status: 'completed', finishedAt, updatedAt: finishedAt, message });
      log.info({ jobId: job.jobId, rows: flushed }, 'flush job completed');
    } catch (error) {
      const message = (error as Error).message;
      log.error({ jobId: job.jobId, err: error }, `flush job failed: ${message}`);
      const finishedAt = Date.now();
      await updateJob(job, { status: 'failed', finishedAt, updatedAt: finishedAt, message }).catch(() => undefined);
    }
  }

  /**
   * Writes the scope's hot rows, tombstones included, to a new segment: a tombstone that stayed
   * behind in the hot tier could be lost, and one dropped would let an older cold copy come back
   * (the binary drops them: findings/changing-rows.md). Like the binary, a scope whose hot rows are
   * all tombstones writes nothing and keeps them hot. The count is of live rows, as the binary's.
   */
  async function flushScope(table: TableState, partition: string): Promise<{ liveRows: number } | undefined> {
    const definition = table.definition;
    const key = tableKey(definition.namespace, definition.name);
    const hot = table.partitions.get(partition);
    const rows: StoredRow[] = [...(hot?.values() ?? [])];
    const liveRows = rows.filter((row) => !row.deleted).length;
    if (liveRows === 0) {
      await dropSegmentsOfEmptyScope(table, partition);
      return undefined;
    }
    const dir = scopeDir(options.dataDir, definition, partition);
    await ensureDir(dir);
    const scopes = options.cold.get(key) ?? new Map<string, ColdScope>();
    options.cold.set(key, scopes);
    const scope = scopes.get(partition) ?? { dir, manifest: undefined, rows: new VersionedRows() };
    scopes.set(partition, scope);

    const flushed: WalRecord = { op: 'flushed', table: key, partition, rows: rows.map((row) => [row.values[definition.primaryKey] ?? null, row.seq] as const) };
    // The flush-drops-tombstone defect (the binary's behaviour): the segment gets live rows only, yet every hot row leaves.
    const segmentRows = options.defects.has('flush-drops-tombstone') ? rows.filter((row) => !row.deleted) : rows;
    const batch = `batch-${nextBatchNumber(scope)}`;
    const segmentPath = join(dir, `${batch}.parquet`);
    const bytes = await encodeRows(definition, segmentRows);
    await writeDurably(`${segmentPath}.tmp`, bytes);
    await pause();
    await rename(`${segmentPath}.tmp`, segmentPath);
    await syncDirectory(dir);
    await pause();

    const seqs = segmentRows.map((row) => row.seq);
    const now = Date.now();
    const manifest: Manifest = withSegment(
      scope.manifest ?? emptyManifest(definition, partition, now),
      {
        min_seq: Math.min(...seqs),
        max_seq: Math.max(...seqs),
        row_count: segmentRows.length,
        size_bytes: (await stat(segmentPath)).size,
        created_at: now,
        id: `${batch}.parquet`,
        path: `${batch}.parquet`,
        column_stats: columnStats(definition, segmentRows),
        schema_version: definition.schemaVersion,
        status: 'committed',
      },
      now,
    );

    if (options.defects.has('drop-hot-before-manifest')) {
      await commit(flushed);
      await pause();
    }
    if (options.defects.has('manifest-in-place')) await writeManifestInPlace(dir, manifest);
    else await writeManifestAtomically(dir, manifest, pause);
    // Readers see the new segment from here on; until the hot delete, a row lives in both tiers.
    scope.manifest = manifest;
    mergeIntoScope(scope, segmentRows, definition.primaryKey);
    const hint = { version: manifest.version, segments: manifest.segments.map((segment) => segment.path), sha256: manifestDigest(manifest) };
    await commit({ op: 'manifest', table: key, partition, manifest: hint });
    await pause();
    if (!options.defects.has('drop-hot-before-manifest')) await commit(flushed);
    return { liveRows };
  }

  /**
   * The binary's flush of a table whose every row is deleted: it writes nothing, commits a manifest
   * without segments and deletes the segment files ("Removed N cold segment file(s) for empty shared
   * table"); the tombstones stay hot. The manifest goes first, so a crash leaves only orphans.
   */
  async function dropSegmentsOfEmptyScope(table: TableState, partition: string): Promise<void> {
    const definition = table.definition;
    const key = tableKey(definition.namespace, definition.name);
    const scope = options.cold.get(key)?.get(partition);
    const hot = table.partitions.get(partition);
    if (!scope?.manifest || scope.manifest.segments.length === 0 || scope.unavailable) return;
    const stillLive = [...scope.rows].some(([primaryKey, row]) => !row.deleted && !((hot?.get(primaryKey)?.seq ?? -1) > row.seq));
    if (stillLive) return;
    const now = Date.now();
    const files = scope.manifest.segments.map((segment) => segment.path);
    const manifest: Manifest = { ...scope.manifest, version: scope.manifest.version + 1, updated_at: now, segments: [], last_sequence_number: 0 };
    await writeManifestAtomically(scope.dir, manifest, pause);
    scope.manifest = manifest;
    scope.rows = new VersionedRows();
    await commit({ op: 'manifest', table: key, partition, manifest: { version: manifest.version, segments: [], sha256: manifestDigest(manifest) } });
    for (const file of files) await rm(join(scope.dir, file), { force: true });
    await syncDirectory(scope.dir);
    log.info({ table: key, partition, files: files.length }, `Removed ${files.length} cold segment file(s) for empty ${definition.type} table ${definition.namespace}:${definition.name}`);
  }

  /** The manifest-in-place defect: truncate and rewrite manifest.json itself, no temp file, no fsync. */
  async function writeManifestInPlace(dir: string, manifest: Manifest): Promise<void> {
    const text = Buffer.from(manifestText(manifest));
    const handle = await open(join(dir, MANIFEST), 'w');
    try {
      const half = Math.floor(text.length / 2);
      await handle.write(text, 0, half);
      await pause();
      await handle.write(text, half, text.length - half);
    } finally {
      await handle.close();
    }
  }

  return {
    enqueue,
    staleJobOf(table) {
      if (!options.defects.has('stuck-flush-after-restart')) return undefined;
      const { namespace, name } = table.definition;
      return [...state.jobs.values()].find(
        (job) => job.namespace === namespace && job.table === name && (job.status === 'queued' || job.status === 'running') && !queue.includes(job.jobId),
      );
    },
    resume(job) {
      if (job.status === 'queued' && !queue.includes(job.jobId)) schedule(job.jobId);
    },
    async idle() {
      while (running) await running;
    },
  };
}

/** KalamDB's job ids: the type prefix and 12 lowercase hex digits (FL-a094b941b0bc). */
function newFlushJobId(state: DatabaseState): string {
  for (;;) {
    const jobId = `FL-${randomBytes(6).toString('hex')}`;
    if (!state.jobs.has(jobId)) return jobId;
  }
}
