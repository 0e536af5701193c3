import type { CheckerDefinition } from '../../run/seams.js';
import { foldWorkload } from '../fold.js';
import type { EventOf } from '../../vocabulary/events.js';
import type { Scope } from '../../vocabulary/violations.js';
import { requestOfTag } from '../operations.js';
import { createRequestTable, Outcome, outcomeOf } from '../outcomes.js';
import { keyOf } from '../read-rows.js';
import { createViolationList } from '../violation-list.js';

interface ScopeState {
  readonly index: number;
  readonly scope: Scope;
  /** Statements that may have rows (acknowledged or unanswered), by request id; failed ones leave. */
  readonly mayHaveRows: Set<number>;
  /** Key → the acknowledged statement that wrote it. */
  readonly ackedOwner: Map<number, number>;
}

/**
 * conflict: a statement that failed left none of its rows, one acknowledged left all of them, an
 * unanswered one all or none, never part; a key never holds two rows, and no statement with a
 * repeated or already stored key was acknowledged. Each row carries its statement's tag (its
 * request id), so a read says which statement each key came from.
 */
export function createConflictJudge() {
  const scopes: ScopeState[] = [];
  const scopeIndex = new Map<string, number>();
  const requests = createRequestTable();
  /** Statements awaiting an answer. */
  const open = new Set<number>();
  /** Statements that repeated a key inside themselves. */
  const repeating = new Set<number>();
  const found = createViolationList('conflict');
  const stats = new Map<number, Record<string, number>>();
  const statsOf = (cycle: number) => {
    let entry = stats.get(cycle);
    if (!entry) stats.set(cycle, (entry = { statements: 0, acknowledged: 0, failed: 0, indeterminate: 0, rowsChecked: 0 }));
    return entry;
  };
  let last: ScopeState | undefined;
  const stateOf = (table: string, partition: string | null): ScopeState => {
    if (last?.scope.table === table && last.scope.partition === partition) return last;
    const id = `${table}\u0000${partition ?? ''}`;
    let index = scopeIndex.get(id);
    if (index === undefined) {
      index = scopes.length;
      scopeIndex.set(id, index);
      scopes.push({ index, scope: { table, partition }, mayHaveRows: new Set(), ackedOwner: new Map() });
    }
    return (last = scopes[index]!);
  };

  const settle = (requestId: number, settled: 'acknowledged' | 'failed' | 'indeterminate') => {
    if (!open.delete(requestId)) return;
    requests.settle(requestId, outcomeOf(settled));
    statsOf(requests.cycle(requestId))[settled]!++;
    const state = scopes[requests.scope(requestId)]!;
    if (settled === 'failed') state.mayHaveRows.delete(requestId);
    if (settled !== 'acknowledged') return;
    if (repeating.has(requestId)) found.rule('duplicate-key-accepted', state.scope, 'a statement repeating a key inside itself was acknowledged').add(requests.key(requestId, 0), requestId);
    for (let index = 0, count = requests.keyCount(requestId); index < count; index++) {
      const key = requests.key(requestId, index);
      const owner = state.ackedOwner.get(key);
      if (owner === undefined) state.ackedOwner.set(key, requestId);
      else if (owner !== requestId) found.rule('duplicate-key-accepted', state.scope, 'a statement was acknowledged although an acknowledged statement had already stored one of its keys').add(key, requestId);
    }
  };

  const judgeRead = (event: EventOf<'read-back'>) => {
    if (event.error !== undefined || !event.rows) return;
    const state = stateOf(event.table, event.partition);
    /** Per statement, how many of its keys hold its row. */
    const present = new Map<number, number>();
    // Rows come ordered by key: a key stored twice is two rows in a row.
    let previous: number | undefined;
    for (const row of event.rows) {
      const key = keyOf(row[0]);
      if (key === previous) found.rule('duplicate-key-accepted', state.scope, 'a primary key holds more than one row').add(key, undefined);
      previous = key;
      const requestId = requestOfTag(row[1]);
      const outcome = requestId === undefined || requests.scope(requestId) !== state.index ? Outcome.Unknown : requests.outcome(requestId);
      if (outcome === Outcome.Failed) {
        found.rule('partial-statement', state.scope, 'a failed statement left rows').add(key, requestId);
      } else if (outcome === Outcome.Unknown || !requests.hasKey(requestId!, key)) {
        found.rule('unknown-value', state.scope, 'a row carries the tag of no statement that sent its key').add(key, requestId);
      } else {
        present.set(requestId!, (present.get(requestId!) ?? 0) + 1);
      }
    }
    statsOf(event.cycle).rowsChecked! += event.rows.length;
    for (const requestId of state.mayHaveRows) {
      const count = present.get(requestId) ?? 0;
      const keys = requests.keyCount(requestId);
      if (count === keys && !repeating.has(requestId)) continue;
      if (requests.outcome(requestId) === Outcome.Acknowledged) {
        if (count < keys) found.rule('partial-statement', state.scope, count === 0 ? 'an acknowledged statement left none of its rows' : 'an acknowledged statement left only some of its rows').add(requests.key(requestId, 0), requestId);
      } else if (count > 0) {
        found.rule('partial-statement', state.scope, repeating.has(requestId) ? 'an unanswered statement repeating a key inside itself left rows' : 'an unanswered statement left only some of its rows').add(requests.key(requestId, 0), requestId);
      }
    }
  };

  return foldWorkload('conflict', {
    request(event) {
      const state = stateOf(event.table, event.partition);
      const keys = event.op?.keys ?? [];
      const distinct = keys.length < 2 || (keys.length === 2 && keys[0] !== keys[1]) ? keys : [...new Set(keys)];
      if (distinct.length < keys.length) repeating.add(event.requestId);
      requests.add(event.requestId, { cycle: event.cycle, scope: state.index }, distinct);
      state.mayHaveRows.add(event.requestId);
      open.add(event.requestId);
      statsOf(event.cycle).statements!++;
    },
    response: (event) => settle(event.requestId, event.outcome),
    writersStopped(cycle) {
      for (const requestId of open) if (requests.cycle(requestId) === cycle) settle(requestId, 'indeterminate');
    },
    readBack: judgeRead,
    cycleEnd(cycle) {
      const cycleStats = statsOf(cycle);
      stats.delete(cycle);
      if (scopes.length === 0) return [];
      return [{ check: 'conflict', cycle, violations: found.take(), stats: cycleStats }];
    },
  });
}

export const conflictChecker: CheckerDefinition = {
  name: 'conflict',
  summary: 'a multi-row INSERT is all or nothing: a failed statement left no row, an acknowledged one all, an unanswered one all or none; primary keys stay unique',
  judge: () => createConflictJudge(),
};
