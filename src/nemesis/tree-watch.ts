import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Calls `onEvent(eventType, relativePath)` for every change under `root`, synchronously in the
 * fs.watch listener.
 *
 * Why not just `fs.watch(root, { recursive: true })`: on Linux, Node 20 emulates recursion in JS
 * (one watcher per file and a readdir diff per folder event). That misses files that are created and
 * renamed away between two readdirs (every `.tmp` of a flush), and after a file is replaced by a
 * rename it keeps watching the dead inode, so the second replacement of `manifest.json` is reported
 * as 'change' and the third not at all. So on Linux this keeps one native (inotify) watch per
 * folder, which reports every create/rename/delete by name; elsewhere the native recursive watch is used.
 */
export interface TreeWatch {
  close(): void;
}

export type TreeEventHandler = (eventType: 'rename' | 'change', relPath: string) => void;

export function watchTree(
  root: string,
  onEvent: TreeEventHandler,
  onError: (error: Error) => void = () => {},
): TreeWatch {
  if (process.platform !== 'linux') {
    const watcher = watch(root, { recursive: true }, (eventType, filename) => {
      if (filename !== null) onEvent(eventType, filename.toString());
    });
    watcher.on('error', onError);
    return { close: () => watcher.close() };
  }
  return watchTreeLinux(root, onEvent, onError);
}

function watchTreeLinux(root: string, onEvent: TreeEventHandler, onError: (error: Error) => void): TreeWatch {
  const watchers = new Map<string, FSWatcher>();
  let closed = false;

  function isDirectory(path: string): boolean {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  }

  function unwatchUnder(dir: string) {
    for (const [path, watcher] of watchers) {
      if (path === dir || path.startsWith(dir + sep)) {
        watcher.close();
        watchers.delete(path);
      }
    }
  }

  /** Watches `dir` and its subfolders; when `announce`, reports what is already in them as created. */
  function addDir(dir: string, announce: boolean) {
    if (closed || watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (eventType, name) => {
        if (closed || name === null) return;
        const path = join(dir, name.toString());
        // Reported before the stat below, which the reaction to it need not wait for.
        onEvent(eventType, relative(root, path));
        if (eventType === 'rename') {
          if (isDirectory(path)) addDir(path, true);
          else if (watchers.has(path)) unwatchUnder(path);
        }
      });
    } catch (error) {
      // The folder vanished between its event and now: nothing to watch.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    watcher.on('error', (error) => {
      unwatchUnder(dir);
      if (dir === root) onError(error);
    });
    watchers.set(dir, watcher);
    // Read after the watch is in place, so nothing created from now on can be missed.
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (announce) onEvent('rename', relative(root, path));
      if (entry.isDirectory()) addDir(path, announce);
    }
  }

  addDir(root, false);
  return {
    close() {
      closed = true;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
