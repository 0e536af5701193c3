import { EXIT_CODES } from '../report/result.js';
import { runEmergencyExit } from '../run/emergency.js';
import { killAllGroups } from '../target/process-registry.js';

/** How long a first SIGINT/SIGTERM may take to stop the campaign before the tool forces its exit. */
export const FORCE_AFTER_MS = 4_000;

function exitCodeOf(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? EXIT_CODES.interruptedBySigterm : EXIT_CODES.interruptedBySigint;
}

/** Kills every server group, writes what can be written synchronously, and exits at once. */
export function forceExit(signal: NodeJS.Signals, prefix: string): never {
  process.stderr.write(`${prefix}: forcing exit: servers killed, partial result written where the disk allowed\n`);
  killAllGroups();
  runEmergencyExit();
  process.exit(exitCodeOf(signal));
}

/**
 * The first SIGINT/SIGTERM aborts `controller` (the campaign stops the server and writes a partial
 * result); a second, or the first left unhonoured for FORCE_AFTER_MS (a tool stuck in a system
 * call), forces the exit. `timeout` sends one SIGTERM: it must be enough.
 */
export function installInterruptHandler(controller: AbortController, prefix = 'kalam-chaos', forceAfterMs = FORCE_AFTER_MS): void {
  let first: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (first !== undefined) forceExit(signal, prefix);
    first = signal;
    process.stderr.write(`${prefix}: ${signal} received, stopping the server and writing a partial result (press Ctrl+C again to force)\n`);
    controller.abort(signal);
    setTimeout(() => forceExit(signal, prefix), forceAfterMs).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * An exception nothing caught (a library's unhandled 'error' event, say) is the tool's own failure:
 * servers killed, what can be written written, one line and exit 2, never Node's exit 1 that CI
 * would read as a violation of the database.
 */
export function installCrashHandler(prefix = 'kalam-chaos'): void {
  const onCrash = (error: unknown) => {
    const err = error instanceof Error ? error : new Error(String(error));
    const code = (err as NodeJS.ErrnoException).code;
    const firstLine = err.message.split('\n')[0] ?? '';
    process.stderr.write(`${prefix}: internal error${code ? ` (${code})` : ''}: ${firstLine}; servers killed\n`);
    killAllGroups();
    runEmergencyExit();
    process.exit(EXIT_CODES.error);
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
}
