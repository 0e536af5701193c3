import type { CheckerDefinition, JudgeOutput } from '../../run/seams.js';
import type { EventOf } from '../../vocabulary/events.js';
import type { Violation, WorkloadViolationKind } from '../../vocabulary/violations.js';
import { foldWorkload } from '../fold.js';
import { createViolationList } from '../violation-list.js';
import { DELETE_WORKLOAD } from './generator.js';
import { createKeyLedger, DeleteState, InsertState, scopeKey, type KeyLedger } from './key-ledger.js';

const CAP = 50;

/**
 * The delete workload's invariant, judged on every read-back after a restart:
 *  - resurrected: a key whose DELETE was acknowledged is visible;
 *  - tombstone-mismatch: a key acknowledged, never touched by an acknowledged or in-flight DELETE,
 *    is missing or visible twice; an acknowledged DELETE of such a key found no row; a key is both
 *    visible and a tombstone; a tombstone exists for a key no DELETE touched;
 *  - phantom-read: a key no INSERT acknowledged or left in flight is visible;
 *  - count-mismatch / unreadable: COUNT(*) disagrees with the rows, or the scope could not be read.
 * Failed statements change nothing; a key with an indeterminate INSERT or DELETE may be either way.
 * Lost rows are tombstone-mismatch ("missing without a delete"), not append's `lost`: that kind
 * carries append's forensics and ledger, and here a missing key is one the tombstone logic hid.
 */
export const deleteChecker: CheckerDefinition = {
  name: DELETE_WORKLOAD,
  summary: 'an acknowledged DELETE stays deleted through flushes and restarts; undeleted acknowledged keys stay, once; WHERE _deleted = true agrees',
  judge() {
    const ledger = createKeyLedger();
    const open = new Map<number, { readonly byScope: Map<string, Violation[]>; readonly other: Violation[]; readonly stats: Record<string, number> }>();
    const cycleOf = (cycle: number) => {
      let judged = open.get(cycle);
      if (!judged) {
        judged = { byScope: new Map(), other: [], stats: {} };
        open.set(cycle, judged);
      }
      return judged;
    };
    const emit = (cycle: number): JudgeOutput[] => {
      const judged = cycleOf(cycle);
      open.delete(cycle);
      const violations = [...judged.other, ...[...judged.byScope.values()].flat()];
      return [{ check: DELETE_WORKLOAD, cycle, violations, stats: { ...judged.stats, ...ledger.stats() } }];
    };
    return foldWorkload(DELETE_WORKLOAD, {
      request: (event) => ledger.request(event.requestId, event.cycle, event.table, event.partition, event.op!),
      response(event) {
        const settled = ledger.response(event.requestId, event.outcome, event.rowCount);
        if (settled && settled.emptyDeletes.length > 0) cycleOf(event.cycle).other.push(emptyDeleteViolation(settled, settled.emptyDeletes, event.requestId));
      },
      writersStopped: (cycle) => ledger.writersStopped(cycle),
      readBack(event) {
        const judged = cycleOf(event.cycle);
        const { violations, stats } = judgeDeleteReadBack(ledger, event);
        // A scope read twice in a cycle is judged by its last read.
        judged.byScope.set(scopeKey(event.table, event.partition), violations);
        for (const [name, value] of Object.entries(stats)) judged.stats[name] = (judged.stats[name] ?? 0) + value;
      },
      cycleEnd: emit,
      finish: () => [...open.keys()].flatMap(emit),
    });
  },
};

export function judgeDeleteReadBack(ledger: KeyLedger, event: EventOf<'read-back'>): { violations: Violation[]; stats: Record<string, number> } {
  const { table, partition } = event;
  if (event.error !== undefined || !event.ids) {
    return { violations: [{ kind: 'unreadable', table, partition, error: event.error ?? 'read-back recorded no ids' }], stats: { scopesUnreadable: 1 } };
  }
  const keys = ledger.keysIn(scopeKey(table, partition));
  const list = createViolationList(DELETE_WORKLOAD);
  const scope = { table, partition };
  const findings = { add: (kind: WorkloadViolationKind, detail: string, key: number, requestId: number) => list.rule(kind, scope, detail).add(key, requestId > 0 ? requestId : undefined) };
  const visible = new Map<number, number>();
  for (const id of event.ids) visible.set(id, (visible.get(id) ?? 0) + 1);

  let resurrected = 0;
  for (const [id, times] of visible) {
    const record = keys.get(id);
    if (record?.delete === DeleteState.Acknowledged) resurrected++;
    if (!record || record.insert <= InsertState.Failed) findings.add('phantom-read', 'visible though no acknowledged or in-flight INSERT wrote them', id, record?.insertRequest ?? 0);
    else if (record.delete === DeleteState.Acknowledged) findings.add('resurrected', 'visible again after their DELETE was acknowledged', id, record.deleteRequest);
    else if (times > 1) findings.add('tombstone-mismatch', 'visible more than once', id, record.insertRequest);
  }
  let expectedLive = 0;
  for (const [key, record] of keys) {
    if (record.insert !== InsertState.Acknowledged || record.delete > DeleteState.Failed) continue;
    expectedLive++;
    if (!visible.has(key)) findings.add('tombstone-mismatch', 'missing without a delete (INSERT acknowledged, no DELETE acknowledged or in flight)', key, record.insertRequest);
  }
  for (const key of event.tombstones ?? []) {
    const record = keys.get(key);
    if (visible.has(key)) findings.add('tombstone-mismatch', 'both visible and a tombstone (WHERE _deleted = true)', key, record?.deleteRequest ?? 0);
    else if (!record || record.delete <= DeleteState.Failed) findings.add('tombstone-mismatch', 'a tombstone (WHERE _deleted = true) though no DELETE was acknowledged or in flight', key, record?.insertRequest ?? 0);
  }
  const violations = list.take();
  if (event.countStar !== undefined && event.countStar !== event.ids.length) {
    violations.push({ kind: 'count-mismatch', table, partition, countStar: event.countStar, distinctIds: visible.size, rowsRead: event.ids.length });
  }
  return {
    violations,
    stats: { scopesRead: 1, keysVisible: visible.size, keysExpectedLive: expectedLive, tombstonesRead: event.tombstones?.length ?? 0, resurrected },
  };
}

function emptyDeleteViolation(where: { table: string; partition: string | null }, keys: readonly number[], requestId: number): Violation {
  return {
    kind: 'tombstone-mismatch',
    workload: DELETE_WORKLOAD,
    table: where.table,
    partition: where.partition,
    keys: sortedCapped(keys),
    requestIds: [requestId],
    detail: `an acknowledged DELETE found no row although the key's INSERT was acknowledged and nothing had deleted it (missing without a delete)`,
    count: keys.length,
  };
}

function sortedCapped(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b).slice(0, CAP);
}
