import { closeSync, fstatSync, openSync, readSync, watch } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface FileTail {
  close(): void;
}

/**
 * Calls `onText` with what is appended to the file at `path` from now on, synchronously in the
 * fs.watch (inotify) listener of each write.
 */
export function tailFile(path: string, onText: (text: string) => void, onError: (error: Error) => void = () => {}): FileTail {
  const fd = openSync(path, 'r');
  let offset = fstatSync(fd).size;
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(64 * 1024);
  let closed = false;
  const drain = () => {
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, offset);
      if (read === 0) return;
      offset += read;
      onText(decoder.write(buffer.subarray(0, read)));
      if (closed) return;
    }
  };
  const watcher = watch(path, () => {
    if (closed) return;
    try {
      drain();
    } catch (error) {
      onError(error as Error);
    }
  });
  watcher.on('error', onError);
  return {
    close() {
      if (closed) return;
      closed = true;
      watcher.close();
      closeSync(fd);
    },
  };
}
