import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { writeDurably } from './cold-tier.js';
import { decodeLog, encodeFrame, syncDirectory, type WriteAheadLog } from './wal.js';

/**
 * The reference server's on-disk format, so upgrade campaigns can be tested without KalamDB.
 * Format 1 stands for the previous release (0.4.2): its WAL spells table types in capitals and
 * calls manifest-cache entries `manifest-cache`. Format 2 is the current layout. A server opens
 * an older directory by migrating it in place, and refuses a newer one.
 */
export type DiskFormat = 1 | 2;

export const CURRENT_FORMAT: DiskFormat = 2;
export const DISK_FORMATS: readonly DiskFormat[] = [1, 2];

/** What a server of each format reports as its version (health endpoint, start-up log). */
export const VERSION_OF_FORMAT: Readonly<Record<DiskFormat, string>> = { 1: '0.4.2-reference', 2: '0.4.3-reference' };

/** `data/rocksdb/FORMAT`: the format the directory is in, one number and a newline. */
export const FORMAT_FILE = 'FORMAT';

export function isDiskFormat(value: number): value is DiskFormat {
  return (DISK_FORMATS as readonly number[]).includes(value);
}

export class DiskFormatError extends Error {
  override name = 'DiskFormatError';
}

/** The directory's format: its FORMAT file, else 2 for a WAL written before formats existed, else none (a new directory). */
export async function readDiskFormat(rocksdbDir: string): Promise<DiskFormat | undefined> {
  const path = join(rocksdbDir, FORMAT_FILE);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return existsSync(join(rocksdbDir, 'wal.log')) ? CURRENT_FORMAT : undefined;
  const format = Number(text.trim());
  if (!isDiskFormat(format)) throw new DiskFormatError(`${path} names an unknown on-disk format "${text.trim()}" (known: ${DISK_FORMATS.join(', ')})`);
  return format;
}

/** Temp file, fsync, rename, fsync of the directory: a kill leaves the old FORMAT or the new one. */
export async function writeDiskFormat(rocksdbDir: string, format: DiskFormat): Promise<void> {
  await replaceDurably(join(rocksdbDir, FORMAT_FILE), Buffer.from(`${format}\n`));
}

/** A record as a format-1 WAL holds it. */
export function toFormat1(record: unknown): unknown {
  const value = record as { op?: string; table?: { type?: string } };
  if ((value.op === 'create-table' || value.op === 'alter-table') && typeof value.table?.type === 'string') {
    return { ...value, table: { ...value.table, type: value.table.type.toUpperCase() } };
  }
  if (value.op === 'manifest') return { ...value, op: 'manifest-cache' };
  return record;
}

/** A format-1 record in the current shape; current records pass unchanged, so a repeated migration is harmless. */
export function fromFormat1(record: unknown): unknown {
  const value = record as { op?: string; table?: { type?: string } };
  if ((value.op === 'create-table' || value.op === 'alter-table') && typeof value.table?.type === 'string') {
    return { ...value, table: { ...value.table, type: value.table.type.toLowerCase() } };
  }
  if (value.op === 'manifest-cache') return { ...value, op: 'manifest' };
  return record;
}

/** A WAL that writes what it is given in format 1. */
export function format1Writer(wal: WriteAheadLog): WriteAheadLog {
  return { append: (record, afterDurable) => wal.append(toFormat1(record), afterDurable), stats: () => wal.stats(), close: () => wal.close() };
}

/** Seeded migration defects (src/reference-server/defects.ts names them). */
export interface MigrationDefects {
  /** Tables of the SHARED kind, and every record of theirs, are not carried over. */
  readonly dropsSharedTables: boolean;
  /** Manifest-cache entries are not carried over. */
  readonly forgetsManifestCache: boolean;
}

/**
 * Rewrites a format-1 WAL in the current format (a new file renamed over the old one), then
 * FORMAT. Killed at any point it leaves the old directory or the migrated one, and a format-1
 * FORMAT over a migrated WAL migrates again to the same result.
 */
export async function migrateFromFormat1(rocksdbDir: string, defects: MigrationDefects, log: Logger): Promise<{ records: number; dropped: number }> {
  const walPath = join(rocksdbDir, 'wal.log');
  const bytes = await readFile(walPath).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? Buffer.alloc(0) : Promise.reject(error)));
  const decoded = decodeLog(bytes);
  const records = decoded.records.map(fromFormat1);
  const shared = new Set(
    records.flatMap((record) => {
      const value = record as { op?: string; table?: { namespace?: string; name?: string; type?: string } };
      return value.op === 'create-table' && value.table?.type === 'shared' ? [`${value.table.namespace}.${value.table.name}`] : [];
    }),
  );
  const kept = records.filter((record) => {
    const value = record as { op?: string; table?: unknown };
    if (defects.forgetsManifestCache && value.op === 'manifest') return false;
    if (!defects.dropsSharedTables) return true;
    const table = typeof value.table === 'string' ? value.table : value.table && typeof value.table === 'object' ? `${(value.table as { namespace: string }).namespace}.${(value.table as { name: string }).name}` : undefined;
    return table === undefined || !shared.has(table);
  });
  await replaceDurably(walPath, Buffer.concat(kept.map(encodeFrame)));
  await writeDiskFormat(rocksdbDir, 2);
  const dropped = records.length - kept.length;
  log.info({ wal: walPath, from: 1, to: 2, records: records.length, dropped, ...(decoded.tail ? { droppedTail: decoded.tail } : {}) }, 'data directory migrated from format 1 to 2');
  return { records: records.length, dropped };
}

async function replaceDurably(path: string, bytes: Buffer): Promise<void> {
  const temp = `${path}.migrating`;
  await writeDurably(temp, bytes);
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}
