import { expect } from 'chai';
import { compareScope } from '../../src/checker/acknowledged-writes.js';
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
  const present = (...ids: number[]) => ids.map((id) => ({ id, payload: `p${id}` }));

  it('passes when every acknowledged row is there and indeterminate ones go either way', () => {
    const expected = ledgerWith([[1, 'acknowledged'], [2, 'indeterminate'], [3, 'indeterminate'], [4, 'failed']]);
    const { violations, stats } = compareScope(expected, { rows: present(1, 2), countStar: 2 });
    expect(violations).to.deep.equal([]);
    expect(stats).to.include({ acknowledged: 1, present: 2, indeterminatePresent: 1, indeterminateAbsent: 1, failed: 1 });
  });

  it('reports lost acknowledged rows by id', () => {
    const expected = ledgerWith([[1, 'acknowledged'], [2, 'acknowledged'], [3, 'acknowledged']]);
    const { violations } = compareScope(expected, { rows: present(2), countStar: 1 });
    expect(violations).to.deep.equal([{ kind: 'lost', ...scope, ids: [1, 3] }]);
  });

  it('reports phantoms: rows never sent and rows the server rejected', () => {
    const expected = ledgerWith([[1, 'acknowledged'], [2, 'failed']]);
    const { violations } = compareScope(expected, { rows: present(1, 2, 77), countStar: 3 });
    expect(violations).to.deep.include({ kind: 'phantom', ...scope, ids: [77], reason: 'never-sent' });
    expect(violations).to.deep.include({ kind: 'phantom', ...scope, ids: [2], reason: 'failed-cleanly' });
  });

  it('reports duplicates and a COUNT(*) that disagrees with the distinct ids', () => {
    const expected = ledgerWith([[1, 'acknowledged'], [2, 'acknowledged']]);
    const { violations } = compareScope(expected, { rows: present(1, 2, 2), countStar: 3 });
    expect(violations).to.deep.include({ kind: 'duplicate', ...scope, ids: [2] });
    expect(violations).to.deep.include({ kind: 'count-mismatch', ...scope, countStar: 3, distinctIds: 2, rowsRead: 3 });
  });

  it('reports rows whose payload differs from what was sent', () => {
    const expected = ledgerWith([[1, 'acknowledged']]);
    const { violations } = compareScope(expected, { rows: [{ id: 1, payload: 'torn' }], countStar: 1 });
    expect(violations).to.deep.equal([{ kind: 'payload-mismatch', ...scope, ids: [1] }]);
  });
});
