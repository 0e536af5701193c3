import type { HistoryEvent, HistoryEventType } from './events.js';

/**
 * Events written without pino: one of each per workload request, so most of a history's lines.
 * Their shapes (src/vocabulary/events.ts) name no field that REDACTED_PATHS censors, so pino's
 * redaction never changed them, only cost; a password an answer could echo is taken out before
 * the event is made (src/workload/ddl/redact.ts). Every other event still goes through pino.
 */
export const FIXED_SHAPE_EVENTS: ReadonlySet<HistoryEventType> = new Set<HistoryEventType>(['request', 'response']);

/**
 * The history line of an event, as pino writes it for `logger.info({ event, t, ...fields }, type)`
 * with `base: null` and ISO time: level, time, event, t, the fields in order, msg.
 */
export function historyLine(event: HistoryEvent, t: number, now: Date = new Date()): string {
  const { type, ...fields } = event;
  const name = JSON.stringify(type);
  const body = JSON.stringify(fields);
  const inner = body.length > 2 ? ',' + body.slice(1, -1) : '';
  return `{"level":30,"time":"${now.toISOString()}","event":${name},"t":${t}${inner},"msg":${name}}\n`;
}
