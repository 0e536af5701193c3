import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { watchTree } from './tree-watch.js';

export type FlushFileEventKind = 'tmp-appeared' | 'segment-appeared' | 'manifest-replaced';

export interface FlushFileEvent {
  readonly kind: FlushFileEventKind;
  /** Relative to the watched folder, with the platform's separator. */
  readonly path: string;
  /** performance.now() inside the fs.watch listener. */
  readonly atMs: number;
}

export interface NextOptions {
  /** Rejects with a DeadlineExceeded-like error after this many ms. */
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
}

export class WatchDeadlineExceeded extends Error {
  override name = 'WatchDeadlineExceeded';
}

export interface FlushFileWatch {
  /** Resolves on the first event of `kind` seen after the call. */
  next(kind: FlushFileEventKind, options: NextOptions): Promise<FlushFileEvent>;
  /**
   * Runs `callback` synchronously inside the fs.watch listener on the first event of `kind`
   * after the call (e.g. to SIGKILL in the same tick). Returns a function that disarms it.
   */
  onceSync(kind: FlushFileEventKind, callback: (event: FlushFileEvent) => void): () => void;
  /** Every event seen so far, in order (for reports and tests). */
  events(): readonly FlushFileEvent[];
  close(): void;
}

const SEGMENT = /^batch-\d+\.parquet$/;
const SEGMENT_TMP = /^batch-\d+\.parquet\.tmp$/;

/**
 * Turns raw watch events into flush events. fs.watch says 'rename' both when a name appears and when
 * it goes, so this remembers which names it has seen appear:
 * - a `.parquet.tmp` name not seen before counts as appeared even if the file is already gone (the
 *   flush renames it to the segment within microseconds); the next event for it is its removal;
 * - a segment counts when its name appears and the file exists (not on deletion);
 * - `manifest.json` counts every time a rename lands on it and it exists (it is only ever replaced).
 * `known` lists the tmp and segment files present when watching started, which have not "appeared".
 */
export function createFlushEventTracker(known: Iterable<string> = []) {
  const present = new Set<string>(known);
  return (eventType: string, relPath: string, exists: () => boolean): FlushFileEventKind | undefined => {
    const name = basename(relPath);
    if (SEGMENT_TMP.test(name) || SEGMENT.test(name)) {
      if (eventType !== 'rename') return undefined;
      const isTmp = SEGMENT_TMP.test(name);
      if (!present.has(relPath)) {
        if (!isTmp && !exists()) return undefined;
        present.add(relPath);
        return isTmp ? 'tmp-appeared' : 'segment-appeared';
      }
      if (!exists()) present.delete(relPath);
      return undefined;
    }
    if (name === 'manifest.json') return exists() ? 'manifest-replaced' : undefined;
    return undefined;
  };
}

/** Relative paths of the tmp and segment files already under `root`. */
function existingFlushFiles(root: string): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (SEGMENT.test(entry.name) || SEGMENT_TMP.test(entry.name)) found.push(path.slice(root.length + 1));
    }
  };
  visit(root);
  return found;
}

interface Listener<E> {
  readonly kind: string;
  fire(event: E): void;
  /** Set for next() waiters, so close() can reject them at once. */
  cancel?(error: Error): void;
}

/** A small dispatcher shared by the two watches: one-shot listeners, called synchronously. */
function createDispatcher<K extends string, E extends { readonly kind: K }>(what: string) {
  const listeners = new Set<Listener<E>>();
  let closedError: Error | undefined;
  return {
    dispatch(event: E) {
      for (const listener of [...listeners]) {
        if (listener.kind !== event.kind) continue;
        listeners.delete(listener);
        listener.fire(event);
      }
    },
    onceSync(kind: K, callback: (event: E) => void): () => void {
      const listener: Listener<E> = { kind, fire: callback };
      if (!closedError) listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    next(kind: K, options: NextOptions): Promise<E> {
      if (closedError) return Promise.reject(closedError);
      if (options.signal?.aborted) return Promise.reject(options.signal.reason);
      return new Promise<E>((resolve, reject) => {
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(listener);
          options.signal?.removeEventListener('abort', onAbort);
        };
        const listener: Listener<E> = {
          kind,
          fire: (event) => {
            cleanup();
            resolve(event);
          },
          cancel: (error) => {
            cleanup();
            reject(error);
          },
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new WatchDeadlineExceeded(`timed out after ${options.deadlineMs} ms waiting for ${kind} in ${what}`));
        }, options.deadlineMs);
        const onAbort = () => {
          cleanup();
          reject(options.signal?.reason);
        };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        listeners.add(listener);
      });
    },
    close(reason: string) {
      if (closedError) return;
      closedError = new Error(`watch on ${what} closed: ${reason}`);
      for (const listener of [...listeners]) {
        listeners.delete(listener);
        listener.cancel?.(closedError);
      }
    },
    isClosed: () => closedError !== undefined,
  };
}

/**
 * Watches a table-storage tree (e.g. DATA_DIR/storage) and reports the files a flush writes
 * (see tree-watch.ts for why this is not a bare recursive fs.watch on Linux). The caller guarantees `storageDir` exists.
 */
export function watchFlushFiles(storageDir: string): FlushFileWatch {
  const seen: FlushFileEvent[] = [];
  const dispatcher = createDispatcher<FlushFileEventKind, FlushFileEvent>(storageDir);
  const track = createFlushEventTracker(existingFlushFiles(storageDir));
  const watcher = watchTree(
    storageDir,
    (eventType, relPath) => {
      const atMs = performance.now();
      if (dispatcher.isClosed()) return;
      const kind = track(eventType, relPath, () => existsSync(join(storageDir, relPath)));
      if (!kind) return;
      const event: FlushFileEvent = { kind, path: relPath, atMs };
      seen.push(event);
      dispatcher.dispatch(event);
    },
    // E.g. the watched folder vanished: nothing more will come, so waiters must not hang.
    (error) => close(error.message),
  );
  function close(reason = 'closed by caller') {
    if (dispatcher.isClosed()) return;
    dispatcher.close(reason);
    watcher.close();
  }
  return {
    next: (kind, options) => dispatcher.next(kind, options),
    onceSync: (kind, callback) => dispatcher.onceSync(kind, callback),
    events: () => seen,
    close: () => close(),
  };
}

export interface WalWriteEvent {
  readonly kind: 'wal-write';
  readonly path: string;
  readonly atMs: number;
}

export interface WalWriteWatch {
  /** Resolves on the first write ('change' event) to any file under the folder after the call. */
  next(options: NextOptions): Promise<WalWriteEvent>;
  /** Runs `callback` synchronously in the fs.watch listener on the first write after the call. */
  onceSync(callback: (event: WalWriteEvent) => void): () => void;
  close(): void;
}

/**
 * Watches the hot tier (DATA_DIR/rocksdb) for writes, to kill while a flush deletes flushed rows.
 * Arm it (next/onceSync) only once the manifest has been replaced: any earlier write is ignored.
 */
export function watchWalWrites(rocksdbDir: string): WalWriteWatch {
  const dispatcher = createDispatcher<'wal-write', WalWriteEvent>(rocksdbDir);
  const watcher = watchTree(
    rocksdbDir,
    (eventType, relPath) => {
      const atMs = performance.now();
      if (dispatcher.isClosed() || eventType !== 'change') return;
      dispatcher.dispatch({ kind: 'wal-write', path: relPath, atMs });
    },
    (error) => close(error.message),
  );
  function close(reason = 'closed by caller') {
    if (dispatcher.isClosed()) return;
    dispatcher.close(reason);
    watcher.close();
  }
  return {
    next: (options) => dispatcher.next('wal-write', options),
    onceSync: (callback) => dispatcher.onceSync('wal-write', callback),
    close: () => close(),
  };
}
