/**
 * Every server process group this harness has started and not yet seen exit. Whatever ends the
 * harness (normal exit, uncaught error, Ctrl+C), the groups here are SIGKILLed so no server
 * outlives it. Only a SIGKILL of the harness itself escapes this; see the pid files.
 */
const liveGroups = new Set<number>();
let hooked = false;

export function registerGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (!hooked) {
    hooked = true;
    process.on('exit', killAllGroups);
  }
}

export function unregisterGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

export function killAllGroups(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  liveGroups.clear();
}

export function liveGroupCount(): number {
  return liveGroups.size;
}

/** Signals a whole process group; false if it no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
