import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';
import type { HistoryEvent } from './events.js';

/** Fields that must never reach disk, whatever event carries them. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'root_password',
  '*.root_password',
  'token',
  'access_token',
  'refresh_token',
  '*.access_token',
  '*.refresh_token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'jwtSecret',
  '*.jwtSecret',
  'env',
  '*.env',
];

export interface History {
  readonly path: string;
  record(event: HistoryEvent): void;
  /** Milliseconds since the history was opened. */
  elapsedMs(): number;
  close(): Promise<void>;
}

/** The run's history as pino NDJSON: one event per line, `msg` is the event type. */
export function openHistory(path: string): History {
  // An fd opened here makes the destination ready at once, so an early process.exit cannot
  // meet a stream that is still opening.
  mkdirSync(dirname(path), { recursive: true });
  const destination = pino.destination({ dest: openSync(path, 'a'), sync: false, minLength: 4096 });
  const logger: Logger = pino(
    { base: null, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
  const started = performance.now();
  let closed = false;
  // A full disk must not crash the harness mid-campaign (the server would be orphaned): the first
  // write error is kept, recording stops, and close() reports it.
  let failure: Error | undefined;
  destination.on('error', (error: NodeJS.ErrnoException) => {
    failure ??= new Error(`cannot write ${path}: ${error.code ?? error.message}`);
    closed = true;
  });
  return {
    path,
    record(event) {
      if (closed) return;
      const { type, ...fields } = event;
      logger.info({ event: type, t: Math.round(performance.now() - started), ...fields }, type);
    },
    elapsedMs: () => Math.round(performance.now() - started),
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        if (closed) return resolve();
        closed = true;
        try {
          destination.flushSync();
        } catch (error) {
          return reject(new Error(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`));
        }
        destination.end();
        destination.once('close', () => resolve());
        destination.once('error', () => resolve());
      }),
  };
}

/** A history that keeps nothing, for code paths that run without a run folder (e.g. unit tests). */
export function discardHistory(): History {
  const started = performance.now();
  return { path: '', record: () => {}, elapsedMs: () => Math.round(performance.now() - started), close: async () => {} };
}
