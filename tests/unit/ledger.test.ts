import { expect } from 'chai';
import { createLedger, ROW_OUTCOMES, type Ledger } from '../../src/workload/ledger.js';
import type { Scope } from '../../src/vocabulary/violations.js';

/** id → outcome, from the ledger's compact form. */
function outcomesIn(ledger: Ledger, scope: Scope): Map<number, string> {
  const rows = ledger.rowsIn(scope);
  return new Map([...rows.ids].map((id, index) => [id, ROW_OUTCOMES[rows.outcomes[index]!]!]));
}

describe('ledger', () => {
  const scope = { table: 'chaos.shared_rows', partition: null };

  it('records the three outcomes per row and counts them', () => {
    const ledger = createLedger();
    ledger.begin({ requestId: 1, cycle: 1, ...scope, ids: [1, 2] });
    ledger.begin({ requestId: 2, cycle: 1, ...scope, ids: [3] });
    ledger.begin({ requestId: 3, cycle: 2, ...scope, ids: [4, 5, 6] });
    expect(ledger.rowCounts(2)).to.deep.equal({ pending: 3, acknowledged: 0, failed: 0, indeterminate: 0 });
    ledger.settle(1, 'acknowledged');
    ledger.settle(2, 'failed');
    ledger.settle(3, 'indeterminate');
    expect(ledger.rowCounts()).to.deep.equal({ pending: 0, acknowledged: 2, failed: 1, indeterminate: 3 });
    expect(ledger.rowCounts(1)).to.deep.equal({ pending: 0, acknowledged: 2, failed: 1, indeterminate: 0 });
    expect(ledger.rowCounts(7)).to.deep.equal({ pending: 0, acknowledged: 0, failed: 0, indeterminate: 0 });
    expect(ledger.requestCount()).to.equal(3);
    const byId = outcomesIn(ledger, scope);
    expect(byId.get(1)).to.equal('acknowledged');
    expect(byId.get(3)).to.equal('failed');
    expect(byId.get(6)).to.equal('indeterminate');
  });

  it('turns requests still pending at a crash into indeterminate ones', () => {
    const ledger = createLedger();
    ledger.begin({ requestId: 1, cycle: 1, ...scope, ids: [1] });
    ledger.begin({ requestId: 2, cycle: 1, ...scope, ids: [2] });
    ledger.settle(1, 'acknowledged');
    expect(outcomesIn(ledger, scope).get(2)).to.equal('pending');
    expect(ledger.settleAllPending()).to.equal(1);
    expect(outcomesIn(ledger, scope).get(2)).to.equal('indeterminate');
    expect(ledger.rowCounts(1)).to.include({ pending: 0, indeterminate: 1 });
  });

  it('refuses to settle a request twice, begin it twice, settle one never begun, or ids it cannot keep exactly', () => {
    const ledger = createLedger();
    ledger.begin({ requestId: 1, cycle: 1, ...scope, ids: [1] });
    ledger.settle(1, 'acknowledged');
    expect(() => ledger.settle(1, 'failed')).to.throw(/settled twice/);
    expect(() => ledger.begin({ requestId: 1, cycle: 1, ...scope, ids: [9] })).to.throw(/begun twice/);
    expect(() => ledger.settle(5, 'failed')).to.throw(/unknown request 5/);
    expect(() => ledger.begin({ requestId: 2, cycle: 1, ...scope, ids: [1.5] })).to.throw(/request 2 carries id 1.5/);
    expect(() => ledger.begin({ requestId: 3, cycle: 1, ...scope, ids: [2 ** 52] })).to.throw(/request 3 carries id/);
  });

  it('keeps partitions of a USER table apart', () => {
    const ledger = createLedger();
    ledger.begin({ requestId: 1, cycle: 1, table: 'chaos.user_rows', partition: 'alice', ids: [1] });
    ledger.begin({ requestId: 2, cycle: 1, table: 'chaos.user_rows', partition: 'bob', ids: [2] });
    expect([...ledger.rowsIn({ table: 'chaos.user_rows', partition: 'alice' }).ids]).to.deep.equal([1]);
    expect([...ledger.rowsIn({ table: 'chaos.user_rows', partition: 'carol' }).ids]).to.deep.equal([]);
    expect(ledger.scopes()).to.have.length(2);
  });

  it('gives every id of a scope once, ascending, whatever the shape of its requests', () => {
    const ledger = createLedger();
    // A writer's rows (a step of 4), a single row, an irregular list, an empty operation, negative ids.
    ledger.begin({ requestId: 10, cycle: 1, ...scope, ids: [21, 25, 29, 33] });
    ledger.begin({ requestId: 11, cycle: 1, ...scope, ids: [2] });
    ledger.begin({ requestId: 12, cycle: 1, ...scope, ids: [40, 3, 17] });
    ledger.begin({ requestId: 13, cycle: 1, ...scope, ids: [] });
    ledger.begin({ requestId: 2 ** 40, cycle: 1, ...scope, ids: [-5, -7] });
    ledger.settle(2 ** 40, 'acknowledged');
    const rows = ledger.rowsIn(scope);
    expect([...rows.ids]).to.deep.equal([-7, -5, 2, 3, 17, 21, 25, 29, 33, 40]);
    expect([...rows.outcomes].map((code) => ROW_OUTCOMES[code])).to.deep.equal(['acknowledged', 'acknowledged', ...Array<string>(8).fill('pending')]);
    expect(ledger.requestCount()).to.equal(5);
  });

  it('judges an id sent twice by its most demanding request: acknowledged, else anything but failed', () => {
    const ledger = createLedger();
    const send = (requestId: number, ids: number[], outcome: 'acknowledged' | 'failed' | 'indeterminate') => {
      ledger.begin({ requestId, cycle: 1, ...scope, ids });
      ledger.settle(requestId, outcome);
    };
    send(1, [1, 2, 3], 'failed');
    send(2, [1], 'acknowledged');
    send(3, [2], 'indeterminate');
    send(4, [3], 'failed');
    send(5, [4], 'acknowledged');
    send(6, [4], 'failed');
    expect(Object.fromEntries(outcomesIn(ledger, scope))).to.deep.equal({ 1: 'acknowledged', 2: 'indeterminate', 3: 'failed', 4: 'acknowledged' });
  });

  it('knows the highest acknowledged request per scope', () => {
    const ledger = createLedger();
    const other = { table: 'chaos.user_rows', partition: 'alice' };
    ledger.begin({ requestId: 1, cycle: 1, ...scope, ids: [1] });
    ledger.begin({ requestId: 2, cycle: 1, ...other, ids: [2] });
    ledger.begin({ requestId: 3, cycle: 1, ...scope, ids: [3] });
    expect(ledger.maxAcknowledgedRequest(scope)).to.equal(undefined);
    ledger.settle(3, 'acknowledged');
    ledger.settle(1, 'acknowledged');
    ledger.settle(2, 'failed');
    expect(ledger.maxAcknowledgedRequest(scope)).to.equal(3);
    expect(ledger.maxAcknowledgedRequest(other)).to.equal(undefined);
  });
});
