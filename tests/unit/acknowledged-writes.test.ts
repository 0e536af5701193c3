import { expect } from 'chai';
import { compareScope, judgeReadBack } from '../../src/checker/acknowledged-writes/compare.js';
import { acknowledgedWrites } from '../../src/checker/acknowledged-writes/index.js';
import type { HistoryEvent } from '../../src/vocabulary/events.js';
import { createLedger } from '../../src/workload/ledger.js';

describe('acknowledged-writes comparison', () => {
  const scope = { table: 'chaos.t', partition: 'alice' };
  function ledgerWith(entries: [number, 'acknowledged' | 'failed' | 'indeterminate'][]) {
    const ledger = createLedger();
    entries.forEach(([id, outcome], index) => {
      ledger.begin({ requestId: index + 1, cycle: 1, ...scope, rows: [{ id, payload: `p${id}` }] });
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

  it('names every acknowledged row of a table the server says no longer exists as lost, in the real server\'s words too', () => {
    const ledger = createLedger();
    ledger.begin({ requestId: 1, cycle: 1, ...scope, rows: [{ id: 7 }, { id: 8 }] });
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
