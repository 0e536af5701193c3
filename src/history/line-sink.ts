import { closeSync, openSync, writeSync } from 'node:fs';
import { describeErrno } from '../util/tool-errors.js';

/**
 * Where pino writes the history: lines buffered in memory and written synchronously, a few times a
 * second or once 64 KiB have gathered, and at process exit. Not pino.destination: on ENOSPC its
 * exit-time flush retries forever, so a full disk hung the tool before its own exit hook could stop
 * the server. Here the first write error is kept, everything after it is dropped, and `onFailure`
 * hears of it at once so the campaign can stop.
 */
export interface LineSink {
  write(line: string): void;
  /** Writes what is buffered; after a failure, does nothing. */
  flush(): void;
  /** Flushes and closes the file; the first write error, if any. */
  close(): Error | undefined;
  failure(): Error | undefined;
}

const FLUSH_BYTES = 64 * 1024;
const FLUSH_EVERY_MS = 200;

export function openLineSink(path: string, onFailure: (error: Error) => void): LineSink {
  let fd: number | undefined = openSync(path, 'a');
  let pending: string[] = [];
  let pendingBytes = 0;
  let failure: Error | undefined;

  const fail = (error: NodeJS.ErrnoException): void => {
    failure = new Error(`cannot write ${path}: ${describeErrno(error)}`);
    pending = [];
    pendingBytes = 0;
    release();
    onFailure(failure);
  };
  const flush = (): void => {
    if (fd === undefined || pendingBytes === 0) return;
    const bytes = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingBytes = 0;
    try {
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
    } catch (error) {
      fail(error as NodeJS.ErrnoException);
    }
  };
  const timer = setInterval(flush, FLUSH_EVERY_MS);
  timer.unref();
  process.on('exit', flush);
  function release(): void {
    clearInterval(timer);
    process.off('exit', flush);
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // the write error already says what went wrong
      }
      fd = undefined;
    }
  }

  return {
    write(line) {
      if (fd === undefined) return;
      pending.push(line);
      pendingBytes += line.length;
      if (pendingBytes >= FLUSH_BYTES) flush();
    },
    flush,
    close() {
      flush();
      release();
      return failure;
    },
    failure: () => failure,
  };
}
