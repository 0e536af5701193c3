import type { CheckerDefinition, JudgeOutput } from '../../run/seams.js';
import type { EventOf, HistoryEvent, RequestOutcome } from '../../vocabulary/events.js';
import type { Scope } from '../../vocabulary/violations.js';
import { keyOf } from '../read-rows.js';
import { createViolationList } from '../violation-list.js';

type Outcome = RequestOutcome | 'pending';

interface Statement {
  readonly requestId: number;
  readonly keys: readonly number[];
  readonly distinct: readonly number[];
  outcome: Outcome;
}

interface ScopeState {
  readonly scope: Scope;
  readonly statements: Statement[];
  readonly byTag: Map<string, Statement>;
  /** Key → the acknowledged statement that wrote it. */
  readonly ackedOwner: Map<number, number>;
}

const scopeId = (table: string, partition: string | null) => `${table}\u0000${partition ?? ''}`;

/**
 * conflict: a statement that failed left none of its rows, one acknowledged left all of them, an
 * indeterminate one all or none, never part; a key never holds two rows, and no statement with a
 * repeated or already stored key was acknowledged. Each row carries its statement's tag, so a read
 * says which statement each key came from.
 */
export function createConflictJudge() {
  const scopes = new Map<string, ScopeState>();
  const requests = new Map<number, { state: ScopeState; statement: Statement; tag: string; cycle: number }>();
  const pendingByCycle = new Map<number, Set<number>>();
  const found = createViolationList('conflict');
  const stats = new Map<number, Record<string, number>>();
  const statsOf = (cycle: number) => {
    let entry = stats.get(cycle);
    if (!entry) stats.set(cycle, (entry = { statements: 0, acknowledged: 0, failed: 0, indeterminate: 0, keysChecked: 0 }));
    return entry;
  };
  const stateOf = (table: string, partition: string | null): ScopeState => {
    const id = scopeId(table, partition);
    let state = scopes.get(id);
    if (!state) scopes.set(id, (state = { scope: { table, partition }, statements: [], byTag: new Map(), ackedOwner: new Map() }));
    return state;
  };

  const settle = (requestId: number, outcome: RequestOutcome) => {
    const known = requests.get(requestId);
    if (!known) return;
    requests.delete(requestId);
    pendingByCycle.get(known.cycle)?.delete(requestId);
    const { state, statement } = known;
    statement.outcome = outcome;
    statsOf(known.cycle)[outcome]!++;
    if (outcome !== 'acknowledged') return;
    if (statement.distinct.length < statement.keys.length) found.rule('duplicate-key-accepted', state.scope, 'a statement repeating a key inside itself was acknowledged').add(statement.keys.find((key, index) => statement.keys.indexOf(key) !== index), requestId);
    for (const key of statement.distinct) {
      const owner = state.ackedOwner.get(key);
      if (owner !== undefined && owner !== requestId) found.rule('duplicate-key-accepted', state.scope, 'a statement was acknowledged although an acknowledged statement had already stored one of its keys').add(key, requestId);
      else state.ackedOwner.set(key, requestId);
    }
  };

  const judgeRead = (event: EventOf<'read-back'>) => {
    const state = stateOf(event.table, event.partition);
    if (event.error !== undefined || !event.rows) return;
    const tagsByKey = new Map<number, string[]>();
    for (const row of event.rows) {
      const key = keyOf(row[0]);
      const tags = tagsByKey.get(key);
      const tag = String(row[1]);
      if (tags) tags.push(tag);
      else tagsByKey.set(key, [tag]);
    }
    statsOf(event.cycle).keysChecked! += tagsByKey.size;
    for (const [key, tags] of tagsByKey) {
      if (tags.length > 1) found.rule('duplicate-key-accepted', state.scope, 'a primary key holds more than one row').add(key, undefined);
      for (const tag of tags) {
        const statement = state.byTag.get(tag);
        if (!statement || !statement.distinct.includes(key)) found.rule('unknown-value', state.scope, 'a row carries the tag of no statement that sent its key').add(key, statement?.requestId);
      }
    }
    for (const [tag, statement] of state.byTag) {
      let present = 0;
      for (const key of statement.distinct) if (tagsByKey.get(key)?.includes(tag)) present++;
      const all = statement.distinct.length;
      const repeated = all < statement.keys.length;
      const firstMissing = () => statement.distinct.find((key) => !tagsByKey.get(key)?.includes(tag));
      const firstPresent = () => statement.distinct.find((key) => tagsByKey.get(key)?.includes(tag));
      if (statement.outcome === 'acknowledged') {
        if (present < all) found.rule('partial-statement', state.scope, present === 0 ? 'an acknowledged statement left none of its rows' : 'an acknowledged statement left only some of its rows').add(firstMissing(), statement.requestId);
      } else if (statement.outcome === 'failed') {
        if (present > 0) found.rule('partial-statement', state.scope, 'a failed statement left rows').add(firstPresent(), statement.requestId);
      } else if (present > 0 && (present < all || repeated)) {
        found.rule('partial-statement', state.scope, repeated ? 'an unanswered statement repeating a key inside itself left rows' : 'an unanswered statement left only some of its rows').add(firstMissing() ?? firstPresent(), statement.requestId);
      }
    }
  };

  return {
    observe(event: HistoryEvent): JudgeOutput[] {
      switch (event.type) {
        case 'request': {
          if (event.op?.workload !== 'conflict' || event.op.value === undefined) return [];
          const state = stateOf(event.table, event.partition);
          const keys = [...(event.op.keys ?? [])];
          const statement: Statement = { requestId: event.requestId, keys, distinct: [...new Set(keys)], outcome: 'pending' };
          state.statements.push(statement);
          state.byTag.set(event.op.value, statement);
          requests.set(event.requestId, { state, statement, tag: event.op.value, cycle: event.cycle });
          let pending = pendingByCycle.get(event.cycle);
          if (!pending) pendingByCycle.set(event.cycle, (pending = new Set()));
          pending.add(event.requestId);
          statsOf(event.cycle).statements!++;
          return [];
        }
        case 'response':
          settle(event.requestId, event.outcome);
          return [];
        case 'writers-stopped':
          for (const requestId of pendingByCycle.get(event.cycle) ?? []) settle(requestId, 'indeterminate');
          return [];
        case 'read-back':
          if (event.workload === 'conflict' && event.purpose === 'check') judgeRead(event);
          return [];
        case 'cycle-end': {
          const cycleStats = statsOf(event.cycle);
          stats.delete(event.cycle);
          if (cycleStats.statements === 0 && cycleStats.keysChecked === 0 && scopes.size === 0) return [];
          return [{ check: 'conflict', cycle: event.cycle, violations: found.take(), stats: cycleStats }];
        }
        default:
          return [];
      }
    },
  };
}

export const conflictChecker: CheckerDefinition = {
  name: 'conflict',
  summary: 'a multi-row INSERT is all or nothing: a failed statement left no row, an acknowledged one all, an unanswered one all or none; primary keys stay unique',
  judge() {
    const judge = createConflictJudge();
    return { observe: (event) => judge.observe(event), finish: () => [] };
  },
};
