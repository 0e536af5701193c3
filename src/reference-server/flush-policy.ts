import type { Logger } from 'pino';
import type { Flusher } from './flush.js';
import type { DatabaseState, TableState } from './state.js';

export interface FlushPolicies {
  readonly afterInsert: (table: TableState) => void;
  stop(): void;
}

interface Policy {
  readonly rows?: number;
  readonly intervalMs?: number;
}

/** A policy CREATE TABLE accepted: keys in any case, the last of a repeated key wins, 0 means none (`rows:10,interval:0`). */
export function parseFlushPolicy(text: string | null): Policy {
  const policy: { rows?: number; intervalMs?: number } = {};
  for (const part of (text ?? '').split(',')) {
    const [kind, value] = part.trim().split(':');
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) continue;
    if (kind?.toLowerCase() === 'rows') policy.rows = number;
    if (kind?.toLowerCase() === 'interval') policy.intervalMs = number * 1000;
  }
  return policy;
}

/** FLUSH_POLICY: `rows:N` queues a flush when a table holds N hot rows; `interval:S` every S seconds. */
export function createFlushPolicies(state: DatabaseState, flusher: Flusher, checkIntervalMs: number, log: Logger): FlushPolicies {
  const lastFlush = new Map<TableState, number>();
  const hotRows = (table: TableState) => [...table.partitions.values()].reduce((sum, rows) => sum + rows.size, 0);
  const trigger = (table: TableState, reason: string) => {
    lastFlush.set(table, Date.now());
    flusher.enqueue(table).then(
      (request) => log.info({ request, table: `${table.definition.namespace}.${table.definition.name}`, reason }, 'flush policy asked for a flush'),
      (error: unknown) => log.error({ err: error }, 'flush policy could not queue a flush'),
    );
  };
  const timer = setInterval(() => {
    for (const table of state.tables.values()) {
      const { intervalMs } = parseFlushPolicy(table.definition.flushPolicy);
      if (intervalMs === undefined || hotRows(table) === 0) continue;
      if (!lastFlush.has(table)) lastFlush.set(table, Date.now());
      if (Date.now() - lastFlush.get(table)! >= intervalMs) trigger(table, `interval:${intervalMs / 1000}`);
    }
  }, checkIntervalMs);
  timer.unref();
  return {
    afterInsert(table) {
      const { rows } = parseFlushPolicy(table.definition.flushPolicy);
      if (rows !== undefined && hotRows(table) >= rows) trigger(table, `rows:${rows}`);
    },
    stop: () => clearInterval(timer),
  };
}
