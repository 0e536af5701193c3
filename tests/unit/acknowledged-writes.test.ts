import { expect } from 'chai';
import { compareScope, judgeReadBack } from '../../src/checker/acknowledged-writes/compare.js';
import { acknowledgedWrites } from '../../src/checker/acknowledged-writes/index.js';
import type { HistoryEvent } from '../../src/vocabulary/events.js';
import { createLedger } from '../../src/workload/ledger.js';
import { packIds } from '../../src/history/packed-ids.js';

describe('acknowledged-writes comparison', () => {
  const scope = { table: 'chaos.t', partition: 'alice' };
  function ledgerWith(entries: [number, 'acknowledged' | 'failed' | 'indeterminate'][]) {
    const ledger = createLedger();
    entries.forEach(([id, outcome], index) => {
      ledger.begin({ requestId: index + 1, cycle: 1, ...scope, ids: [id] });
      ledger.settle(index + 1, outcome);
    });
    return ledger.rowsIn(scope);
  }
  const present = (...ids: number[]) => ids;

  it('passes when every acknowledged row is there and indeterminate ones go either way', () => {
    const expected = ledgerWith([[1, 'acknowledged'], [2, 'indeterminate'], [3, 'indeterminate'], [4, 'failed']]);
    const { violations, stats } = compareScope(expected, { ids: present(1, 2), countStar: 2 });
    expect(violations).to.deep.equal([]);
    expect(stats).to.include({ acknowledged: 1, present: 2, indeterminatePresent: 1, indeterminateAbsent: 1, failed: 1 });
  });

  it('reports lost acknowledged rows by id', () => {
    const expected = ledgerWith([[1, 'acknowledged'], [2, 'acknowledged'], [3, 'acknowledged']]);
    const { violations } = compareScope(expected, { ids: present(2), countStar: 1 });
    expect(violations).to.deep.equal([{ kind: 'lost', ...scope, ids: [1, 3] }]);
  });

  it('reports phantoms: rows never sent and rows the server rejected', () => {
    const expected = ledgerWith([[1, 'acknowledged'], [2, 'failed']]);
    const { violations } = compareScope(expected, { ids: present(1, 2, 77), countStar: 3 });
    expect(violations).to.deep.include({ kind: 'phantom', ...scope, ids: [77], reason: 'never-sent' });
    expect(violations).to.deep.include({ kind: 'phantom', ...scope, ids: [2], reason: 'failed-cleanly' });
  });

  it('reports duplicates and a COUNT(*) that disagrees with the distinct ids', () => {
    const expected = ledgerWith([[1, 'acknowledged'], [2, 'acknowledged']]);
    const { violations } = compareScope(expected, { ids: present(1, 2, 2), countStar: 3 });
    expect(violations).to.deep.include({ kind: 'duplicate', ...scope, ids: [2] });
    expect(violations).to.deep.include({ kind: 'count-mismatch', ...scope, countStar: 3, distinctIds: 2, rowsRead: 3 });
  });

  it('reports rows whose payload differs from what was sent', () => {
    const expected = ledgerWith([[1, 'acknowledged']]);
    const { violations } = compareScope(expected, { ids: [1], countStar: 1, payloadMismatch: [1] });
    expect(violations).to.deep.equal([{ kind: 'payload-mismatch', ...scope, ids: [1] }]);
  });

  it('finds lost, phantom, duplicate and mismatched rows in one merge, at either end and in between', () => {
    const expected = ledgerWith([
      [2, 'acknowledged'],
      [4, 'acknowledged'],
      [6, 'failed'],
      [8, 'indeterminate'],
      [10, 'acknowledged'],
      [12, 'indeterminate'],
      [14, 'acknowledged'],
    ]);
    // 1 and 15 never sent (before the first and after the last), 4 lost, 6 failed but present,
    // 8 present twice, 10 three times, 12 absent (allowed), 14 lost at the end; 2 and 8 differ from what was sent.
    const ids = [1, 2, 6, 8, 8, 10, 10, 10, 15];
    const { violations, stats } = compareScope(expected, { ids, countStar: 6, payloadMismatch: [2, 8, 6, 1] });
    expect(violations).to.deep.equal([
      { kind: 'lost', ...scope, ids: [4, 14] },
      { kind: 'phantom', ...scope, ids: [1, 15], reason: 'never-sent' },
      { kind: 'phantom', ...scope, ids: [6], reason: 'failed-cleanly' },
      { kind: 'duplicate', ...scope, ids: [8, 10] },
      { kind: 'payload-mismatch', ...scope, ids: [2, 8] },
    ]);
    expect(stats).to.deep.equal({ acknowledged: 4, present: 6, indeterminatePresent: 1, indeterminateAbsent: 1, failed: 1 });
    const counted = compareScope(expected, { ids, countStar: 9 }).violations.find((violation) => violation.kind === 'count-mismatch');
    expect(counted).to.deep.equal({ kind: 'count-mismatch', ...scope, countStar: 9, distinctIds: 6, rowsRead: 9 });
  });

  it('judges a read the server returned out of key order, and ids that are not numbers, all the same', () => {
    const expected = ledgerWith([[1, 'acknowledged'], [2, 'acknowledged'], [3, 'acknowledged']]);
    const { violations } = compareScope(expected, { ids: [3, 1, 9, 3, Number.NaN, Number.NaN], countStar: 4 });
    expect(violations).to.deep.equal([
      { kind: 'lost', ...scope, ids: [2] },
      { kind: 'phantom', ...scope, ids: [9, Number.NaN], reason: 'never-sent' },
      { kind: 'duplicate', ...scope, ids: [3, Number.NaN] },
    ]);
  });

  it('reads a read-back of a run folder from before packing (ids as an array) as the packed one', () => {
    const ledger = createLedger();
    ledger.begin({ requestId: 1, cycle: 1, ...scope, ids: [1, 5, 9, 13] });
    ledger.settle(1, 'acknowledged');
    const base = { type: 'read-back' as const, cycle: 1, incarnation: 1, purpose: 'check' as const, ...scope, countStar: 4, payloadMismatch: [9] };
    const read = [1, 5, 5, 13, 20];
    const plain = judgeReadBack(ledger.rowsIn(scope), { ...base, ids: read });
    const packed = judgeReadBack(ledger.rowsIn(scope), { ...base, packedIds: packIds(read)! });
    expect(plain).to.deep.equal(packed);
    expect(plain.violations.map((violation) => violation.kind)).to.deep.equal(['lost', 'phantom', 'duplicate']);
  });

  it('names every acknowledged row of a table the server says no longer exists as lost, in the real server\'s words too', () => {
    const ledger = createLedger();
    ledger.begin({ requestId: 1, cycle: 1, ...scope, ids: [7, 8] });
    ledger.settle(1, 'acknowledged');
    const readBack = (error: string) => ({ type: 'read-back', cycle: 1, incarnation: 1, purpose: 'check', ...scope, error }) as const;
    const real = "SQL_EXECUTION_ERROR: Statement 1 failed: Table not found: Error during planning: table 'kalam.chaos.t' not found";
    for (const message of [real, 'TABLE_NOT_FOUND: chaos.t']) {
      const { violations } = judgeReadBack(ledger.rowsIn(scope), readBack(message));
      expect(violations.map((violation) => violation.kind)).to.deep.equal(['unreadable', 'lost']);
      expect(violations[1]).to.deep.include({ ids: [7, 8] });
    }
    const timeout = judgeReadBack(ledger.rowsIn(scope), readBack('request timed out'));
    expect(timeout.violations.map((violation) => violation.kind), 'unreadable for another reason: not known lost').to.deep.equal(['unreadable']);
  });

  it('judges each read-back against the ledger as it stood when the read happened, and reports per cycle at its end', () => {
    const judge = acknowledgedWrites.judge({ event: { type: 'run-start', scenario: 's', seed: 1, options: {}, target: {} }, parameters: {} as never });
    const events: HistoryEvent[] = [
      { type: 'request', cycle: 1, requestId: 1, writer: 0, ...scope, ids: [1, 2] },
      { type: 'response', cycle: 1, requestId: 1, outcome: 'acknowledged', latencyMs: 1 },
      { type: 'read-back', cycle: 1, incarnation: 1, purpose: 'check', ...scope, ids: [2], countStar: 1, payloadMismatch: [] },
      // A row sent after the read is not missing from it.
      { type: 'request', cycle: 2, requestId: 2, writer: 0, ...scope, ids: [3] },
      { type: 'response', cycle: 2, requestId: 2, outcome: 'acknowledged', latencyMs: 1 },
    ];
    expect(events.flatMap((event) => judge.observe(event))).to.deep.equal([]);
    const [output] = judge.observe({ type: 'cycle-end', cycle: 1 });
    expect(output?.violations).to.deep.equal([{ kind: 'lost', ...scope, ids: [1] }]);
    expect(output?.stats).to.include({ acknowledged: 2, present: 1 });
  });
});
