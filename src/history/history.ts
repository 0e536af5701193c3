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
  return {
    path,
    record(event) {
      if (closed) return;
      const { type, ...fields } = event;
      logger.info({ event: type, t: Math.round(performance.now() - started), ...fields }, type);
    },
    elapsedMs: () => Math.round(performance.now() - started),
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        destination.flushSync();
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
