import { expect } from 'chai';
import { ackLossFigures, describeAckLoss } from '../../src/report/ack-loss.js';
import type { CycleResult, ViolationRecord } from '../../src/report/result.js';

const cycleWith = (cycle: number, acknowledged: number): CycleResult => ({
  cycle,
  trigger: { kind: 'after-acks', acks: 1 },
  rows: { pending: 0, acknowledged, failed: 0, indeterminate: 0 },
  checks: [],
});

const lost = (cycle: number, table: string, ids: number[]): ViolationRecord => ({
  cycle,
  check: 'acknowledged-writes',
  violation: { kind: 'lost', table, partition: null, ids },
});

describe('acknowledged rows lost: figures', () => {
  it('counts each lost row once, at the first check that missed it, against the rows acknowledged in that cycle', () => {
    const figures = ackLossFigures(
      [cycleWith(1, 100), cycleWith(2, 50)],
      // cycle 2's check still misses rows 1-3 (lost at cycle 1) and newly misses 7
      [lost(1, 'chaos.a', [1, 2, 3]), lost(2, 'chaos.a', [1, 2, 3, 7]), lost(2, 'chaos.b', [1])],
      150,
    );
    expect(figures.cycles).to.deep.equal([
      { cycle: 1, acknowledged: 100, lost: 3, lostShare: 0.03 },
      { cycle: 2, acknowledged: 50, lost: 2, lostShare: 0.04 },
    ]);
    expect(figures.total).to.deep.equal({ acknowledged: 150, lost: 5, lostShare: 5 / 150 });
    expect(describeAckLoss(figures)).to.equal('acknowledged rows lost: 5/150 (3.3%)  per cycle (lost/acknowledged) 1: 3/100, 2: 2/50');
  });

  it('has no share for a cycle that acknowledged nothing, and zero lost when nothing was lost', () => {
    const figures = ackLossFigures([cycleWith(1, 0)], [], 0);
    expect(figures.cycles[0]).to.deep.equal({ cycle: 1, acknowledged: 0, lost: 0, lostShare: null });
    expect(describeAckLoss(figures)).to.include('0/0 (n/a)');
  });
});
