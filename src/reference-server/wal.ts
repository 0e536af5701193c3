import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * The reference server's write-ahead log: `data/rocksdb/wal.log`, a sequence of frames
 * `[u32 LE payload length][u32 LE crc32 of payload][payload: UTF-8 JSON]`.
 *
 * A frame is durable once the group it was written with has been fdatasync'd; only then is
 * its `afterDurable` callback run (which makes it visible) and its append promise resolved
 * (which lets the server acknowledge it). A process killed mid-write leaves at most one torn
 * frame at the tail, which the checksum exposes on the next open.
 */

const HEADER_BYTES = 8;
/** Far above any frame we write; a length beyond it is garbage, not a record. */
const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

export function encodeFrame(payload: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32LE(body.length, 0);
  frame.writeUInt32LE(crc32(body), 4);
  body.copy(frame, HEADER_BYTES);
  return frame;
}

export interface DecodedLog {
  readonly records: unknown[];
  /** Bytes from the start of the file that hold whole, checksummed frames. */
  readonly validBytes: number;
  /** Why decoding stopped before the end of the file, when it did. */
  readonly tail?: { readonly offset: number; readonly bytes: number; readonly reason: string };
}

/** Decodes frames until the first one that is incomplete or fails its checksum. */
export function decodeLog(bytes: Buffer): DecodedLog {
  const records: unknown[] = [];
  let offset = 0;
  const stop = (reason: string): DecodedLog => ({ records, validBytes: offset, tail: { offset, bytes: bytes.length - offset, reason } });
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER_BYTES) return stop('incomplete frame header');
    const length = bytes.readUInt32LE(offset);
    const checksum = bytes.readUInt32LE(offset + 4);
    if (length > MAX_PAYLOAD_BYTES) return stop(`implausible frame length ${length}`);
    if (bytes.length - offset - HEADER_BYTES < length) return stop('incomplete frame payload');
    const body = bytes.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    if (crc32(body) !== checksum) return stop('checksum mismatch');
    let record: unknown;
    try {
      record = JSON.parse(body.toString('utf8'));
    } catch {
      return stop('checksummed frame is not JSON');
    }
    records.push(record);
    offset += HEADER_BYTES + length;
  }
  return { records, validBytes: offset };
}

export interface WalStats {
  readonly groups: number;
  readonly frames: number;
  readonly bytes: number;
}

export interface WriteAheadLog {
  /** Resolves once the record is on disk and fdatasync'd; `afterDurable` runs first, in log order. */
  append(record: unknown, afterDurable?: () => void): Promise<void>;
  stats(): WalStats;
  /** Waits for queued appends, then closes the file. */
  close(): Promise<void>;
}

export interface OpenedWal {
  readonly wal: WriteAheadLog;
  readonly records: unknown[];
  readonly droppedTail?: DecodedLog['tail'];
}

/**
 * Opens (creating if needed) the log at `path`, returns its records and cuts off a torn tail:
 * the file is truncated to its last whole frame and fsync'd before any new frame is appended,
 * so a new frame can never sit behind garbage that replay would stop at.
 */
/** `sync: false` is the no-fsync defect: frames are written (page cache) but never fdatasync'd. */
export async function openWal(path: string, options: { sync: boolean } = { sync: true }): Promise<OpenedWal> {
  const handle = await open(path, 'a+');
  try {
    const bytes = await handle.readFile();
    const decoded = decodeLog(bytes);
    if (decoded.tail) {
      await handle.truncate(decoded.validBytes);
      await handle.sync();
    }
    await syncDirectory(dirname(path));
    return { wal: createWriter(handle, options.sync), records: decoded.records, ...(decoded.tail ? { droppedTail: decoded.tail } : {}) };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw new Error(`cannot open write-ahead log ${path}: ${(error as Error).message}`);
  }
}

export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface Pending {
  readonly frame: Buffer;
  readonly afterDurable: (() => void) | undefined;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

function createWriter(handle: FileHandle, sync: boolean): WriteAheadLog {
  let queue: Pending[] = [];
  let draining: Promise<void> | undefined;
  let running = false;
  /** After a failed write the file may end in a partial frame: nothing may be appended behind it. */
  let failure: Error | undefined;
  let closed = false;
  let groups = 0;
  let frames = 0;
  let bytes = 0;

  async function writeAll(buffer: Buffer): Promise<void> {
    let written = 0;
    while (written < buffer.length) {
      const { bytesWritten } = await handle.write(buffer, written, buffer.length - written);
      written += bytesWritten;
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const group = queue;
      queue = [];
      if (failure) {
        for (const pending of group) pending.reject(failure);
        continue;
      }
      try {
        const buffer = Buffer.concat(group.map((pending) => pending.frame));
        await writeAll(buffer);
        if (sync) await handle.datasync();
        groups += 1;
        frames += group.length;
        bytes += buffer.length;
      } catch (error) {
        failure = new Error(`write-ahead log write failed, refusing further writes: ${(error as Error).message}`);
        for (const pending of group) pending.reject(failure);
        continue;
      }
      for (const pending of group) pending.afterDurable?.();
      for (const pending of group) pending.resolve();
    }
  }

  // Appends made while the last group's callbacks run find `running` still set; the finally
  // block picks them up so nothing waits in the queue with no drain coming.
  function kick(): void {
    if (running) return;
    running = true;
    draining = drain().finally(() => {
      running = false;
      draining = undefined;
      if (queue.length > 0) kick();
    });
  }

  return {
    append(record, afterDurable) {
      if (closed) return Promise.reject(new Error('write-ahead log is closed'));
      if (failure) return Promise.reject(failure);
      const frame = encodeFrame(record);
      return new Promise<void>((resolve, reject) => {
        queue.push({ frame, afterDurable, resolve, reject });
        kick();
      });
    },
    stats: () => ({ groups, frames, bytes }),
    async close() {
      closed = true;
      while (draining) await draining;
      await handle.close();
    },
  };
}
