import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';
import type { HistoryEvent } from './events.js';
import { FIXED_SHAPE_EVENTS, historyLine } from './fixed-shape-line.js';
import { openLineSink } from './line-sink.js';

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

/**
 * The run's history as pino NDJSON: one event per line, `msg` is the event type; the workload's
 * requests and responses are written in pino's format without pino (fixed-shape-line.ts). The first write
 * error (a full disk) stops recording, is passed to `onFailure` at once, and close() reports it.
 */
export function openHistory(path: string, onFailure: (error: Error) => void = () => {}): History {
  mkdirSync(dirname(path), { recursive: true });
  const sink = openLineSink(path, onFailure);
  const logger: Logger = pino(
    { base: null, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime },
    sink,
  );
  const started = performance.now();
  let closed = false;
  return {
    path,
    record(event) {
      if (closed || sink.failure()) return;
      const t = Math.round(performance.now() - started);
      if (FIXED_SHAPE_EVENTS.has(event.type)) return sink.write(historyLine(event, t));
      const { type, ...fields } = event;
      logger.info({ event: type, t, ...fields }, type);
    },
    elapsedMs: () => Math.round(performance.now() - started),
    close: async () => {
      if (closed) return;
      closed = true;
      const failure = sink.close();
      if (failure) throw failure;
    },
  };
}

/** A history that keeps nothing, for code paths that run without a run folder (e.g. unit tests). */
export function discardHistory(): History {
  const started = performance.now();
  return { path: '', record: () => {}, elapsedMs: () => Math.round(performance.now() - started), close: async () => {} };
}
