import { expect } from 'chai';
import { pino } from 'pino';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXED_SHAPE_EVENTS, historyLine } from '../../src/history/fixed-shape-line.js';
import { openHistory, REDACTED_PATHS } from '../../src/history/history.js';
import { readHistory } from '../../src/history/read-history.js';
import type { EventOf, HistoryEvent } from '../../src/vocabulary/events.js';
import { useTempDir } from '../support/temp.js';

// Every field of each fixed-shape event, so a field added to its type must be added here too (Required<>).
const request: Required<EventOf<'request'>> = {
  type: 'request',
  cycle: 2,
  requestId: 41,
  writer: 3,
  table: 'chaos.user_rows',
  partition: 'alice',
  ids: [7, 11, 15],
  op: { workload: 'ddl', f: 'create-user', keys: [1, 2], value: 'chaos_u"1\\' },
};
const response: Required<EventOf<'response'>> = {
  type: 'response',
  cycle: 2,
  requestId: 41,
  outcome: 'failed',
  latencyMs: 12.3,
  error: 'syntax error near "x"\n\ttab \u0001 é 日本 \u2028',
  code: 'SQL_PARSE_ERROR',
  rowCount: 2,
  rows: [
    [1, 'a', null, true],
    ['2', 'b', 3.5, false],
  ],
};
const sparseResponse: EventOf<'response'> = { type: 'response', cycle: 1, requestId: 42, outcome: 'acknowledged', latencyMs: Number.NaN };

/** The line pino writes for an event, with the history's options and a fixed clock. */
function pinoLine(event: HistoryEvent, t: number, now: Date): string {
  const lines: string[] = [];
  const logger = pino(
    { base: null, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, timestamp: () => `,"time":"${now.toISOString()}"` },
    { write: (line: string) => lines.push(line) },
  );
  const { type, ...fields } = event;
  logger.info({ event: type, t, ...fields }, type);
  return lines.join('');
}

/** Every key of a value, at any depth. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  return [];
}

describe('history lines of fixed-shape events', () => {
  const tempDir = useTempDir();
  const now = new Date('2026-12-03T08:55:52.007Z');

  it('are byte for byte the line pino writes, escapes, absent fields and non-finite numbers included', () => {
    for (const event of [request, response, sparseResponse, { ...request, partition: null, ids: [] }]) {
      expect(historyLine(event, 1234, now)).to.equal(pinoLine(event, 1234, now));
    }
  });

  it('carry no field that the redaction censors, so leaving pino out loses no redaction', () => {
    const censored = new Set(REDACTED_PATHS.map((path) => path.split('.').pop()!));
    for (const event of [request, response]) {
      expect(FIXED_SHAPE_EVENTS.has(event.type)).to.equal(true);
      expect(keysOf(event).filter((key) => censored.has(key))).to.deep.equal([]);
    }
  });

  it('read back as the events recorded, in order among the events pino writes', async () => {
    const path = join(tempDir(), 'history.ndjson');
    const history = openHistory(path);
    const setup: HistoryEvent = { type: 'setup', cycle: 0, statements: 3 };
    history.record(setup);
    history.record(request);
    history.record(response);
    history.record(sparseResponse);
    history.record({ type: 'cycle-end', cycle: 2 });
    await history.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.event)).to.deep.equal(['setup', 'request', 'response', 'response', 'cycle-end']);
    for (const line of lines) expect(Object.keys(line).slice(0, 4)).to.deep.equal(['level', 'time', 'event', 't']);
    const events = await readHistory(path);
    expect(events).to.deep.equal([setup, request, response, { ...sparseResponse, latencyMs: null }, { type: 'cycle-end', cycle: 2 }]);
  });

  it('still go through pino redaction for every other event', async () => {
    const path = join(tempDir(), 'history.ndjson');
    const history = openHistory(path);
    history.record({ type: 'run-start', scenario: 's', seed: 1, options: { password: 'hunter2' }, target: { env: { KALAMDB_ROOT_PASSWORD: 'hunter2' } } });
    await history.close();
    const text = readFileSync(path, 'utf8');
    expect(text).to.not.include('hunter2');
    expect(text).to.include('"password":"[redacted]"');
  });
});
