import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CheckResult, Violation } from '../../vocabulary/violations.js';

export const TABLE_UNAVAILABLE = 'table-unavailable';

/** Fewer clean failures than this in an incarnation without an acknowledged write is not yet a verdict. */
export const DEFAULT_MIN_FAILED_WRITES = 10;

const SAMPLE_ERRORS = 5;

/** A read error that says the table (or its provider) does not exist. */
const NOT_FOUND = /TABLE_NOT_FOUND|\btable (?:'[^']*' |[\w.:]+ )?not found|table provider not found/i;

/**
 * The history events this check reads, as recorded (`type`) or as history.ndjson spells them
 * (`event`). Anything else is ignored, so any event can be passed.
 */
export type AvailabilityEvent = { readonly type?: string; readonly event?: string } & Record<string, unknown>;

interface TableIncarnation {
  readonly table: string;
  readonly incarnation: number;
  acknowledged: number;
  failed: number;
  readonly errors: string[];
  readonly readAnswers: string[];
}

export interface TableAvailabilityFinding {
  readonly key: string;
  readonly violation: Extract<Violation, { kind: 'table-unavailable' }>;
}

/**
 * Follows a run's history and tells, per table and incarnation, whether the restarted server served
 * the table: writes the server answered (acknowledged, or failed with an error code) and reads of the
 * acknowledged-writes check that came back "not found". Pure: the same events give the same findings,
 * live in a campaign or later from history.ndjson.
 */
export interface TableAvailabilityLog {
  observe(event: object): void;
  /**
   * Tables the server did not serve: not found by a read, or zero acknowledged and at least
   * `minFailedWrites` failed writes over an incarnation that has ended (all of them with `final`).
   */
  findings(options?: { readonly minFailedWrites?: number; readonly final?: boolean }): TableAvailabilityFinding[];
}

export function createTableAvailabilityLog(): TableAvailabilityLog {
  let incarnation = -1;
  let schemaCreated = false;
  const tables = new Set<string>();
  const ended = new Set<number>();
  const requests = new Map<number, { table: string; incarnation: number }>();
  const stats = new Map<string, TableIncarnation>();

  const statsOf = (table: string, at: number): TableIncarnation => {
    const key = `${table}@${at}`;
    let entry = stats.get(key);
    if (!entry) {
      entry = { table, incarnation: at, acknowledged: 0, failed: 0, errors: [], readAnswers: [] };
      stats.set(key, entry);
    }
    return entry;
  };

  function observe(recorded: object): void {
    const event = recorded as AvailabilityEvent;
    switch (event.type ?? event.event) {
      case 'run-start': {
        const workload = (event.options as { workload?: { namespace?: unknown; tables?: { name?: unknown }[] } } | undefined)?.workload;
        for (const table of workload?.tables ?? []) {
          if (typeof workload?.namespace === 'string' && typeof table.name === 'string') tables.add(`${workload.namespace}.${table.name}`);
        }
        return;
      }
      case 'setup':
        schemaCreated = true;
        return;
      case 'server-ready':
        incarnation = Number(event.incarnation);
        return;
      case 'server-exit':
        ended.add(Number(event.incarnation));
        return;
      case 'request':
        if (typeof event.table === 'string') requests.set(Number(event.requestId), { table: event.table, incarnation });
        return;
      case 'response': {
        const request = requests.get(Number(event.requestId));
        if (!request) return;
        requests.delete(Number(event.requestId));
        const entry = statsOf(request.table, request.incarnation);
        if (event.outcome === 'acknowledged') entry.acknowledged++;
        // Only an answer of the server counts: a refused connection or a timeout says nothing of the table.
        else if (event.outcome === 'failed' && typeof event.code === 'string') {
          entry.failed++;
          const error = `${event.code}: ${typeof event.error === 'string' ? event.error : ''}`;
          if (entry.errors.length < SAMPLE_ERRORS && !entry.errors.includes(error)) entry.errors.push(error);
        }
        return;
      }
      case 'read-back': {
        // A read of the acknowledged-writes check that the server answered "not found".
        if (event.purpose !== 'check' || typeof event.table !== 'string' || typeof event.error !== 'string') return;
        if (!NOT_FOUND.test(event.error)) return;
        const entry = statsOf(event.table, incarnation);
        if (entry.readAnswers.length < SAMPLE_ERRORS) entry.readAnswers.push(event.error);
        return;
      }
    }
  }

  function findings(options: { readonly minFailedWrites?: number; readonly final?: boolean } = {}): TableAvailabilityFinding[] {
    const minFailed = options.minFailedWrites ?? DEFAULT_MIN_FAILED_WRITES;
    const out: TableAvailabilityFinding[] = [];
    if (!schemaCreated) return out;
    for (const [key, entry] of stats) {
      if (!tables.has(entry.table)) continue;
      if (!options.final && !ended.has(entry.incarnation)) continue;
      const writesRefused = entry.acknowledged === 0 && entry.failed >= minFailed;
      if (!writesRefused && entry.readAnswers.length === 0) continue;
      out.push({
        key,
        violation: {
          kind: 'table-unavailable',
          table: entry.table,
          incarnation: entry.incarnation,
          failedWrites: entry.failed,
          acknowledgedWrites: entry.acknowledged,
          sampleErrors: [...entry.errors],
          readAnswers: [...entry.readAnswers],
        },
      });
    }
    return out.sort((a, b) => a.violation.incarnation - b.violation.incarnation || a.violation.table.localeCompare(b.violation.table));
  }

  return { observe, findings };
}

/** The check over a whole list of events (e.g. a run folder's history): every incarnation is judged. */
export function checkTableAvailability(events: Iterable<AvailabilityEvent>, cycle: number, minFailedWrites = DEFAULT_MIN_FAILED_WRITES): CheckResult {
  const log = createTableAvailabilityLog();
  for (const event of events) log.observe(event);
  const violations = log.findings({ minFailedWrites, final: true }).map((finding) => finding.violation);
  return { check: TABLE_UNAVAILABLE, cycle, ok: violations.length === 0, violations };
}

/** Recomputes the check from a run folder's history.ndjson (a torn last line is skipped). */
export async function checkTableAvailabilityOfHistory(historyPath: string, minFailedWrites = DEFAULT_MIN_FAILED_WRITES): Promise<CheckResult> {
  const events: AvailabilityEvent[] = [];
  let cycle = 0;
  const lines = createInterface({ input: createReadStream(historyPath), crlfDelay: Infinity });
  for await (const line of lines) {
    let event: AvailabilityEvent;
    try {
      event = JSON.parse(line) as AvailabilityEvent;
    } catch {
      continue;
    }
    if (typeof event.cycle === 'number') cycle = Math.max(cycle, event.cycle);
    // Only what the check reads: a long run's request ids would otherwise sit in memory twice.
    const type = event.type ?? event.event;
    if (type === 'request') event = { event: type, requestId: event.requestId, table: event.table };
    events.push(event);
  }
  return checkTableAvailability(events, cycle, minFailedWrites);
}
