import type { EventOf, HistoryEvent } from '../vocabulary/events.js';
import type { Scope } from '../vocabulary/violations.js';
import { createLedger, type Ledger } from '../workload/ledger.js';

/**
 * What the history says so far about the workload's requests, folded event by event: the ledger
 * (every row sent and what became of it) and the request ids issued. Pure: fed the same events,
 * live or from history.ndjson, it says the same.
 */
export interface RunFacts {
  observe(event: HistoryEvent): void;
  readonly ledger: Pick<Ledger, 'rowsIn' | 'rowCounts' | 'requestCount' | 'scopes'>;
  /** The id the next request will get (one past the highest recorded). */
  nextRequestId(): number;
  /** Per unqualified table, the request ids around its last flush that may have taken every acknowledged row. */
  flushMark(table: string): { readonly commandBefore: number; readonly completedBefore: number } | undefined;
  /** The check read-backs recorded in a cycle, last per scope. */
  readBacks(cycle: number): readonly EventOf<'read-back'>[];
  /** The highest acknowledged request id among these scopes. */
  maxAcknowledgedRequest(scopes: readonly Scope[]): number | undefined;
}

export function createRunFacts(): RunFacts {
  const ledger = createLedger();
  let next = 1;
  const marks = new Map<string, { commandBefore: number; completedBefore: number }>();
  const readBacks = new Map<number, Map<string, EventOf<'read-back'>>>();
  return {
    observe(event) {
      switch (event.type) {
        case 'request':
          ledger.begin({ requestId: event.requestId, cycle: event.cycle, table: event.table, partition: event.partition, ids: event.ids });
          next = Math.max(next, event.requestId + 1);
          return;
        case 'response':
          ledger.settle(event.requestId, event.outcome);
          return;
        case 'writers-stopped':
          // Requests still unanswered when the writers stopped died with the server: indeterminate.
          ledger.settleAllPending();
          return;
        case 'flush-mark':
          marks.set(event.table, { commandBefore: event.commandBefore, completedBefore: event.completedBefore });
          return;
        case 'read-back': {
          if (event.purpose !== 'check') return;
          const ofCycle = readBacks.get(event.cycle) ?? new Map<string, EventOf<'read-back'>>();
          ofCycle.set(JSON.stringify([event.table, event.partition]), event);
          readBacks.set(event.cycle, ofCycle);
          return;
        }
        default:
          return;
      }
    },
    ledger,
    nextRequestId: () => next,
    flushMark: (table) => marks.get(table),
    readBacks: (cycle) => [...(readBacks.get(cycle)?.values() ?? [])],
    maxAcknowledgedRequest(scopes) {
      let max: number | undefined;
      for (const scope of scopes) {
        const acknowledged = ledger.maxAcknowledgedRequest(scope);
        if (acknowledged !== undefined && (max === undefined || acknowledged > max)) max = acknowledged;
      }
      return max;
    },
  };
}
