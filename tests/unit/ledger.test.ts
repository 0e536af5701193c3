import { expect } from 'chai';
import { createLedger } from '../../src/workload/ledger.js';

describe('ledger', () => {
  const scope = { table: 'chaos.shared_rows', partition: null };
  const rows = (...ids: number[]) => ids.map((id) => ({ id, payload: `p${id}` }));

  it('records the three outcomes per row and counts them', () => {
    const ledger = createLedger();
    ledger.begin({ requestId: 1, cycle: 1, ...scope, rows: rows(1, 2) });
    ledger.begin({ requestId: 2, cycle: 1, ...scope, rows: rows(3) });
    ledger.begin({ requestId: 3, cycle: 2, ...scope, rows: rows(4, 5, 6) });
    ledger.settle(1, 'acknowledged');
    ledger.settle(2, 'failed');
    ledger.settle(3, 'indeterminate');
    expect(ledger.rowCounts()).to.deep.equal({ pending: 0, acknowledged: 2, failed: 1, indeterminate: 3 });
    expect(ledger.rowCounts(1)).to.deep.equal({ pending: 0, acknowledged: 2, failed: 1, indeterminate: 0 });
    const byId = ledger.rowsIn(scope).rows;
    expect(byId.get(1)?.outcome).to.equal('acknowledged');
    expect(byId.get(3)?.outcome).to.equal('failed');
    expect(byId.get(6)?.outcome).to.equal('indeterminate');
  });

  it('turns requests still pending at a crash into indeterminate ones', () => {
    const ledger = createLedger();
    ledger.begin({ requestId: 1, cycle: 1, ...scope, rows: rows(1) });
    ledger.begin({ requestId: 2, cycle: 1, ...scope, rows: rows(2) });
    ledger.settle(1, 'acknowledged');
    expect(ledger.settleAllPending()).to.equal(1);
    expect(ledger.rowsIn(scope).rows.get(2)?.outcome).to.equal('indeterminate');
  });

  it('refuses to settle a request twice or begin it twice', () => {
    const ledger = createLedger();
    ledger.begin({ requestId: 1, cycle: 1, ...scope, rows: rows(1) });
    ledger.settle(1, 'acknowledged');
    expect(() => ledger.settle(1, 'failed')).to.throw(/settled twice/);
    expect(() => ledger.begin({ requestId: 1, cycle: 1, ...scope, rows: rows(9) })).to.throw(/begun twice/);
  });

  it('keeps partitions of a USER table apart', () => {
    const ledger = createLedger();
    ledger.begin({ requestId: 1, cycle: 1, table: 'chaos.user_rows', partition: 'alice', rows: rows(1) });
    ledger.begin({ requestId: 2, cycle: 1, table: 'chaos.user_rows', partition: 'bob', rows: rows(2) });
    expect([...ledger.rowsIn({ table: 'chaos.user_rows', partition: 'alice' }).rows.keys()]).to.deep.equal([1]);
    expect(ledger.scopes()).to.have.length(2);
  });
});
