import type { LiveChange, LiveFeed } from '../executor.js';
import type { DatabaseState, LiveQueryRecord, StoredRow, TableDefinition } from '../state.js';
import { tableKey } from '../state.js';
import type { Value } from '../sql/ast.js';

/**
 * The live queries of one incarnation: which subscription watches which table partition, and
 * what each is sent when a row version commits. Messages are shaped as kalamdb-server 0.4.3-rc.4
 * sends them (findings/live-queries.md): one `change` per row; an insert's row carries `_seq` and
 * `_deleted: false`, an update's new and old rows carry `_seq` only, a delete has only
 * `old_values`, the deleted values with the tombstone's `_seq` and `_deleted: true`.
 */
export interface LiveSubscription {
  readonly record: LiveQueryRecord;
  readonly definition: TableDefinition;
  /** Projected user columns (SELECT * : all of them). */
  readonly columns: readonly string[];
  readonly partition: string;
  /** Until the initial data is all sent, changes wait here. */
  pending: Record<string, unknown>[] | undefined;
  /** resume-skips-first-change: the next row after the cursor is dropped. */
  skipNext: boolean;
  send(message: Record<string, unknown>): void;
}

export interface LiveHub extends LiveFeed {
  add(subscription: LiveSubscription): void;
  remove(liveId: string): void;
  /** Subscriptions `user` holds over all its connections (the per-user limit). */
  countOf(user: string): number;
}

export function createLiveHub(state: DatabaseState, onChangeOfEntries: () => void = () => {}): LiveHub {
  const byPartition = new Map<string, Map<string, LiveSubscription>>();
  const key = (table: string, partition: string) => `${table}/${partition}`;
  return {
    watching: (table, partition) => (byPartition.get(key(table, partition))?.size ?? 0) > 0,
    publish(table, partition, changes) {
      const watchers = byPartition.get(key(table, partition));
      if (!watchers) return;
      for (const subscription of watchers.values()) {
        for (const change of changes) {
          if (subscription.skipNext) {
            subscription.skipNext = false;
            continue;
          }
          const message = changeMessage(subscription, change);
          subscription.record.changes++;
          subscription.record.lastUpdate = Date.now();
          if (subscription.pending) subscription.pending.push(message);
          else subscription.send(message);
        }
      }
    },
    add(subscription) {
      const { record } = subscription;
      const partitionKey = key(tableKey(record.namespace, record.table), subscription.partition);
      const watchers = byPartition.get(partitionKey) ?? new Map<string, LiveSubscription>();
      watchers.set(record.liveId, subscription);
      byPartition.set(partitionKey, watchers);
      state.liveQueries.set(record.liveId, record);
      onChangeOfEntries();
    },
    remove(liveId) {
      for (const watchers of byPartition.values()) watchers.delete(liveId);
      if (state.liveQueries.delete(liveId)) onChangeOfEntries();
    },
    countOf: (user) => [...state.liveQueries.values()].filter((record) => record.userId === user).length,
  };
}

/** A row as the binary sends it: BIGINT as a decimal string, `_seq` a string, `_deleted` when asked. */
export function liveRow(subscription: Pick<LiveSubscription, 'definition' | 'columns'>, row: StoredRow, deleted: boolean | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of subscription.columns) {
    const column = subscription.definition.columns.find((candidate) => candidate.name === name);
    const value: Value = row.values[name] ?? null;
    out[name] = column?.type === 'BigInt' && typeof value === 'number' ? String(value) : value;
  }
  out._seq = String(row.seq);
  if (deleted !== undefined) out._deleted = deleted;
  return out;
}

function changeMessage(subscription: LiveSubscription, change: LiveChange): Record<string, unknown> {
  const subscription_id = subscription.record.subscriptionId;
  const isNew = !change.old || change.old.deleted === true;
  if (change.row.deleted) {
    return { type: 'change', subscription_id, change_type: 'delete', old_values: [liveRow(subscription, change.row, true)] };
  }
  if (isNew) return { type: 'change', subscription_id, change_type: 'insert', rows: [liveRow(subscription, change.row, false)] };
  return { type: 'change', subscription_id, change_type: 'update', rows: [liveRow(subscription, change.row, undefined)], old_values: [liveRow(subscription, change.old, undefined)] };
}
