import type { CheckerDefinition, Judge, JudgeOutput } from '../../run/seams.js';
import type { Cell, EventOf, HistoryEvent } from '../../vocabulary/events.js';
import type { Scope, Violation, WorkloadViolationKind } from '../../vocabulary/violations.js';
import { INITIAL_VALUE, KEYS, parseTag } from './plan.js';
import { createWriteLog, WriteStatus } from './writes.js';

export const REGISTER_CHECK = 'register';
const MAX_LISTED = 50;

/** One key of one scope: what acknowledged and uncertain writes allow it to hold. */
interface KeyState {
  readonly slot: number;
  readonly scope: Scope;
  readonly key: number;
  /** History position of the request of the last-begun acknowledged write (-1: none). */
  lastAckedBegan: number;
  lastAckedRequestId: number;
  ackedIncrements: number;
  /** Indeterminate increments, and acknowledged ones that said they changed no row. */
  uncertainIncrements: number;
}

interface PendingWrite {
  readonly cycle: number;
  readonly process: number;
  readonly n: number;
  readonly slot: number;
  readonly began: number;
  readonly increment: boolean;
}

interface CycleVerdict {
  /** Per scope, the verdict of its last read (a scope read twice in a cycle is judged by the last). */
  readonly reads: Map<string, Violation[]>;
  /** Per scope, the keys and requests of acknowledged UPDATEs that said they changed no row. */
  readonly noRowAcks: Map<string, { scope: Scope; keys: number[]; requestIds: number[] }>;
  readonly stats: Record<string, number>;
}

const scopeId = (table: string, partition: string | null): string => `${table}\u0000${partition ?? ''}`;

/**
 * Every key holds the initial value or that of an acknowledged or indeterminate write W that no
 * acknowledged write to the key began after W completed; each counter lies between its
 * acknowledged and its acknowledged plus indeterminate increments. Failed writes never count.
 */
export function judgeRegister(): Judge {
  const writes = createWriteLog();
  const keys: KeyState[] = [];
  /** Table → partition ('' for SHARED) → key → slot: no string built per event. */
  const slots = new Map<string, Map<string, Map<number, number>>>();
  const pending = new Map<number, PendingWrite>();
  const cycles = new Map<number, CycleVerdict>();
  let position = 0;

  const slotOf = (scope: Scope, key: number): number => {
    let ofTable = slots.get(scope.table);
    if (!ofTable) slots.set(scope.table, (ofTable = new Map<string, Map<number, number>>()));
    let ofScope = ofTable.get(scope.partition ?? '');
    if (!ofScope) ofTable.set(scope.partition ?? '', (ofScope = new Map<number, number>()));
    let slot = ofScope.get(key);
    if (slot === undefined) {
      slot = keys.length;
      keys.push({ slot, scope, key, lastAckedBegan: -1, lastAckedRequestId: 0, ackedIncrements: 0, uncertainIncrements: 0 });
      ofScope.set(key, slot);
    }
    return slot;
  };
  const verdictOf = (cycle: number): CycleVerdict => {
    let verdict = cycles.get(cycle);
    if (!verdict) {
      verdict = { reads: new Map(), noRowAcks: new Map(), stats: { writes: 0, acknowledged: 0, failed: 0, indeterminate: 0, acknowledgedNoRow: 0, keysRead: 0 } };
      cycles.set(cycle, verdict);
    }
    return verdict;
  };
  const count = (cycle: number, stat: string, by = 1): void => {
    const stats = verdictOf(cycle).stats;
    stats[stat] = (stats[stat] ?? 0) + by;
  };

  function settle(write: PendingWrite, status: WriteStatus, requestId: number): void {
    const key = keys[write.slot]!;
    writes.settle(write.process, write.n, status, position);
    if (status === WriteStatus.Acknowledged) {
      if (write.began > key.lastAckedBegan) {
        key.lastAckedBegan = write.began;
        key.lastAckedRequestId = requestId;
      }
      if (write.increment) key.ackedIncrements++;
    } else if ((status === WriteStatus.Indeterminate || status === WriteStatus.AcknowledgedNoRow) && write.increment) {
      key.uncertainIncrements++;
    }
  }

  function onRequest(event: EventOf<'request'>): void {
    const tag = parseTag(event.op?.value);
    const key = event.op?.keys?.[0];
    if (!tag || key === undefined) return;
    const slot = slotOf({ table: event.table, partition: event.partition }, key);
    writes.sent(tag.process, tag.n, slot, event.requestId);
    pending.set(event.requestId, { cycle: event.cycle, process: tag.process, n: tag.n, slot, began: position, increment: event.op?.f === 'increment' });
    count(event.cycle, 'writes');
  }

  function onResponse(event: EventOf<'response'>): void {
    const write = pending.get(event.requestId);
    if (!write) return;
    pending.delete(event.requestId);
    if (event.outcome === 'acknowledged' && event.rowCount === 0) {
      const key = keys[write.slot]!;
      settle(write, WriteStatus.AcknowledgedNoRow, event.requestId);
      count(event.cycle, 'acknowledgedNoRow');
      const noRow = verdictOf(event.cycle).noRowAcks;
      const id = scopeId(key.scope.table, key.scope.partition);
      const seen = noRow.get(id) ?? { scope: key.scope, keys: [], requestIds: [] };
      seen.keys.push(key.key);
      seen.requestIds.push(event.requestId);
      noRow.set(id, seen);
      return;
    }
    const status = event.outcome === 'acknowledged' ? WriteStatus.Acknowledged : event.outcome === 'failed' ? WriteStatus.Failed : WriteStatus.Indeterminate;
    settle(write, status, event.requestId);
    count(event.cycle, event.outcome);
  }

  function onWritersStopped(cycle: number): void {
    for (const [requestId, write] of pending) {
      if (write.cycle > cycle) continue;
      pending.delete(requestId);
      settle(write, WriteStatus.Indeterminate, requestId);
      count(write.cycle, 'indeterminate');
    }
  }

  function judgeValue(key: KeyState, value: Cell | undefined): Violation | undefined {
    if (value === INITIAL_VALUE) {
      if (key.lastAckedBegan < 0) return undefined;
      return violation('lost-update', key.scope, [key.key], [key.lastAckedRequestId], `key ${key.key} holds its initial value although acknowledged writes to it completed (last begun: request ${key.lastAckedRequestId})`);
    }
    const tag = parseTag(value);
    const status = tag ? writes.status(tag.process, tag.n) : WriteStatus.NeverSent;
    if (!tag || status === WriteStatus.NeverSent || writes.slot(tag.process, tag.n) !== key.slot) {
      return violation('unknown-value', key.scope, [key.key], [], `key ${key.key} holds ${JSON.stringify(value)}, which no write to this key sent`);
    }
    const requestId = writes.requestId(tag.process, tag.n);
    if (status === WriteStatus.Failed) {
      return violation('unknown-value', key.scope, [key.key], [requestId], `key ${key.key} holds ${String(value)}, the value of request ${requestId}, which failed`);
    }
    if (status === WriteStatus.Acknowledged && writes.completedAt(tag.process, tag.n) < key.lastAckedBegan) {
      return violation(
        'lost-update',
        key.scope,
        [key.key],
        [requestId, key.lastAckedRequestId],
        `key ${key.key} holds ${String(value)} of request ${requestId}, which completed before acknowledged request ${key.lastAckedRequestId} to the key began`,
      );
    }
    return undefined;
  }

  function judgeCounter(key: KeyState, cell: Cell | undefined): Violation | undefined {
    const n = Number(cell);
    const low = key.ackedIncrements;
    const high = key.ackedIncrements + key.uncertainIncrements;
    if (cell !== null && cell !== undefined && Number.isFinite(n) && n >= low && n <= high) return undefined;
    const why = Number.isFinite(n) && n > high ? 'an increment applied twice?' : Number.isFinite(n) && n < low ? 'an acknowledged increment lost' : 'not a number';
    return violation('counter-mismatch', key.scope, [key.key], [], `key ${key.key} has n = ${String(cell)}, expected between ${low} acknowledged and ${high} acknowledged + indeterminate increments (${why})`);
  }

  function judgeRead(event: EventOf<'read-back'>): Violation[] {
    const scope = { table: event.table, partition: event.partition };
    if (event.error !== undefined || !event.rows) return [{ kind: 'unreadable', ...scope, error: event.error ?? 'no rows recorded' }];
    const columns = event.columns ?? ['id', 'v', 'n'];
    const [idAt = 0, vAt = 1, nAt = 2] = ['id', 'v', 'n'].map((name) => columns.indexOf(name));
    const byKey = new Map<number, Cell[][]>();
    for (const row of event.rows) {
      const key = Number(row[idAt]);
      const rows = byKey.get(key);
      if (rows) rows.push(row);
      else byKey.set(key, [row]);
    }
    const violations: Violation[] = [];
    const missing: number[] = [];
    for (let key = 1; key <= KEYS; key++) if (!byKey.has(key)) missing.push(key);
    if (missing.length > 0) violations.push(violation('lost-update', scope, missing, [], `key(s) ${missing.join(', ')} missing, though inserted at setup and never deleted`));
    for (const [key, rows] of byKey) {
      if (!Number.isInteger(key) || key < 1 || key > KEYS) {
        violations.push(violation('unknown-value', scope, Number.isFinite(key) ? [key] : [], [], `a row with key ${String(rows[0]?.[idAt ?? 0])} that was never inserted`));
        continue;
      }
      if (rows.length > 1) violations.push(violation('unknown-value', scope, [key], [], `key ${key} returned ${rows.length} rows`));
      const state = keys[slotOf(scope, key)]!;
      for (const row of rows) {
        const value = judgeValue(state, cellAt(row, vAt));
        if (value) violations.push(value);
        const counter = judgeCounter(state, cellAt(row, nAt));
        if (counter) violations.push(counter);
      }
    }
    count(event.cycle, 'keysRead', byKey.size);
    return violations;
  }

  function output(cycle: number): JudgeOutput {
    const verdict = verdictOf(cycle);
    cycles.delete(cycle);
    const noRow = [...verdict.noRowAcks.values()].map(({ scope, keys: noRowKeys, requestIds }) =>
      violation('lost-update', scope, noRowKeys, requestIds, `${requestIds.length} acknowledged UPDATE(s) of existing keys changed 0 rows (the key exists from setup on; the real server answers row_count 1 for a one-row UPDATE)`),
    );
    return { check: REGISTER_CHECK, cycle, violations: [...noRow, ...[...verdict.reads.values()].flat()], stats: { ...verdict.stats, scopesRead: verdict.reads.size } };
  }

  return {
    observe(event: HistoryEvent): readonly JudgeOutput[] {
      position++;
      switch (event.type) {
        case 'request':
          if (event.op?.workload === 'register') onRequest(event);
          return [];
        case 'response':
          onResponse(event);
          return [];
        case 'writers-stopped':
          onWritersStopped(event.cycle);
          return [];
        case 'read-back':
          if (event.workload === 'register' && event.purpose === 'check') verdictOf(event.cycle).reads.set(scopeId(event.table, event.partition), judgeRead(event));
          return [];
        case 'cycle-end':
          return [output(event.cycle)];
        default:
          return [];
      }
    },
    finish: () => [...cycles.keys()].sort((a, b) => a - b).map(output),
  };
}

function cellAt(row: readonly Cell[], index: number): Cell | undefined {
  return index < 0 ? undefined : row[index];
}

function violation(kind: WorkloadViolationKind, scope: Scope, keys: readonly number[], requestIds: readonly number[], detail: string): Violation {
  const sorted = (values: readonly number[]) => [...new Set(values)].sort((a, b) => a - b).slice(0, MAX_LISTED);
  return { kind, workload: 'register', table: scope.table, partition: scope.partition, keys: sorted(keys), requestIds: sorted(requestIds.filter((id) => id > 0)), detail, count: Math.max(1, keys.length) };
}

export const registerChecker: CheckerDefinition = {
  name: 'register',
  summary: 'every key holds a value an acknowledged or in-flight write left and no acknowledged later write overwrote; counters between acknowledged and attempted increments',
  judge: judgeRegister,
};
