import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { HistoryEvent } from '../vocabulary/events.js';

/** Fields pino adds to every line, which are not part of the event. */
const PINO_FIELDS = new Set(['level', 'time', 'msg', 't', 'event']);

/** One history.ndjson line as the event the campaign recorded; undefined for a line that is not an event. */
export function eventOfLine(line: string): HistoryEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const record = parsed as Record<string, unknown>;
  if (typeof record.event !== 'string') return undefined;
  const event: Record<string, unknown> = { type: record.event };
  for (const [key, value] of Object.entries(record)) if (!PINO_FIELDS.has(key)) event[key] = value;
  return event as unknown as HistoryEvent;
}

/**
 * Every event of a run folder's history.ndjson, in order. A torn last line (the tool was killed
 * mid-write) is skipped; a torn line anywhere else is an error, since the verdict would be wrong.
 */
export async function readHistory(path: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let torn: number | undefined;
  let number = 0;
  for await (const line of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    number++;
    if (!line.trim()) continue;
    if (torn !== undefined) throw new Error(`${path}: line ${torn} is not a history event`);
    const event = eventOfLine(line);
    if (event) events.push(event);
    else torn = number;
  }
  return events;
}
