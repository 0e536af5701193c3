import type { OperationRecord, RequestOutcome } from '../../vocabulary/events.js';

/** What the history says of a key's one INSERT: ordered so that a later answer only raises it. */
export const InsertState = {
  None: 0,
  Failed: 1,
  /** Sent and not (yet) answered, or answered indeterminate: the row may or may not exist. */
  Maybe: 2,
  Acknowledged: 3,
} as const;
export type InsertState = (typeof InsertState)[keyof typeof InsertState];

/** What the history says of the DELETEs of a key: the strongest of them. */
export const DeleteState = {
  None: 0,
  /** Only failed DELETEs: they change nothing. */
  Failed: 1,
  Maybe: 2,
  Acknowledged: 3,
} as const;
export type DeleteState = (typeof DeleteState)[keyof typeof DeleteState];

export interface KeyRecord {
  insert: InsertState;
  delete: DeleteState;
  insertRequest: number;
  deleteRequest: number;
}

interface PendingRequest {
  readonly cycle: number;
  readonly table: string;
  readonly partition: string | null;
  readonly scope: string;
  readonly f: string;
  readonly keys: readonly number[];
  /** The keys' delete states before this DELETE was sent (restored when it fails). */
  readonly before?: readonly DeleteState[];
}

export function scopeKey(table: string, partition: string | null): string {
  return `${table}\u0000${partition ?? ''}`;
}

/**
 * The delete workload's keys per scope as its requests and responses tell them, folded in
 * history order: the state of each key's INSERT and DELETEs, and the requests still unanswered.
 * A request without an answer when its cycle's writers stopped stays Maybe (indeterminate).
 */
export function createKeyLedger() {
  const scopes = new Map<string, Map<number, KeyRecord>>();
  const pending = new Map<number, PendingRequest>();
  let insertsAcknowledged = 0;
  let deletesAcknowledged = 0;

  const keysOf = (scope: string): Map<number, KeyRecord> => {
    let keys = scopes.get(scope);
    if (!keys) {
      keys = new Map();
      scopes.set(scope, keys);
    }
    return keys;
  };

  return {
    request(requestId: number, cycle: number, table: string, partition: string | null, op: OperationRecord): void {
      const scope = scopeKey(table, partition);
      const keys = keysOf(scope);
      const opKeys = op.keys ?? [];
      if (op.f === 'insert') {
        for (const key of opKeys) {
          const record = keys.get(key) ?? { insert: InsertState.None, delete: DeleteState.None, insertRequest: requestId, deleteRequest: 0 };
          if (record.insert < InsertState.Maybe) record.insert = InsertState.Maybe;
          record.insertRequest = requestId;
          keys.set(key, record);
        }
        pending.set(requestId, { cycle, table, partition, scope, f: op.f, keys: opKeys });
      } else if (op.f === 'delete') {
        const before: DeleteState[] = [];
        for (const key of opKeys) {
          const record = keys.get(key) ?? { insert: InsertState.None, delete: DeleteState.None, insertRequest: 0, deleteRequest: requestId };
          before.push(record.delete);
          if (record.delete < DeleteState.Maybe) {
            record.delete = DeleteState.Maybe;
            record.deleteRequest = requestId;
          }
          keys.set(key, record);
        }
        pending.set(requestId, { cycle, table, partition, scope, f: op.f, keys: opKeys, before });
      }
    },

    /**
     * Settles a request of this workload (undefined for any other), with the keys an acknowledged
     * DELETE found nothing to delete of although they were acknowledged and not deleted.
     */
    response(requestId: number, outcome: RequestOutcome, rowCount: number | undefined): { table: string; partition: string | null; emptyDeletes: number[] } | undefined {
      const request = pending.get(requestId);
      if (!request) return undefined;
      pending.delete(requestId);
      const keys = keysOf(request.scope);
      const emptyDeletes: number[] = [];
      request.keys.forEach((key, index) => {
        const record = keys.get(key)!;
        if (request.f === 'insert') {
          if (outcome === 'acknowledged') record.insert = InsertState.Acknowledged;
          else if (outcome === 'failed' && record.insert === InsertState.Maybe) record.insert = InsertState.Failed;
          return;
        }
        const before = request.before?.[index] ?? DeleteState.None;
        if (outcome === 'acknowledged') {
          if (rowCount === 0 && record.insert === InsertState.Acknowledged && before <= DeleteState.Failed) emptyDeletes.push(key);
          record.delete = DeleteState.Acknowledged;
          record.deleteRequest = requestId;
        } else if (outcome === 'failed' && record.delete === DeleteState.Maybe && before < DeleteState.Maybe) {
          record.delete = DeleteState.Failed;
        }
      });
      if (outcome === 'acknowledged') {
        if (request.f === 'insert') insertsAcknowledged++;
        else deletesAcknowledged++;
      }
      return { table: request.table, partition: request.partition, emptyDeletes };
    },

    /** The cycle's writers stopped: its unanswered requests are indeterminate for good. */
    writersStopped(cycle: number): void {
      for (const [requestId, request] of pending) if (request.cycle <= cycle) pending.delete(requestId);
    },

    keysIn: (scope: string): ReadonlyMap<number, KeyRecord> => scopes.get(scope) ?? new Map<number, KeyRecord>(),
    /** Whether a scope was ever written (a read-back of an unwritten scope must be empty). */
    knows: (scope: string) => scopes.has(scope),
    stats: () => ({ insertsAcknowledged, deletesAcknowledged }),
  };
}

export type KeyLedger = ReturnType<typeof createKeyLedger>;
