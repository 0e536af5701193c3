import { expect } from 'chai';
import { ackLossFigures, describeAckLoss, type AckLossFigures, type CycleFinding } from '../../src/report/ack-loss.js';
import type { CycleResult } from '../../src/report/result.js';

const cycleWith = (cycle: number, acknowledged: number): CycleResult => ({
  cycle,
  trigger: { kind: 'after-acks', acks: 1 },
  rows: { pending: 0, acknowledged, failed: 0, indeterminate: 0 },
  checks: [],
});

/** One cycle's raw finding (not a deduplicated ViolationRecord). */
const lost = (cycle: number, table: string, ids: number[]): CycleFinding => ({
  cycle,
  violation: { kind: 'lost', table, partition: null, ids },
});

describe('acknowledged rows lost: figures', () => {
  it('counts missing rows per check against the rows acknowledged so far, and each lost row once in the total', () => {
    const figures = ackLossFigures(
      [cycleWith(1, 100), cycleWith(2, 50), cycleWith(3, 40)],
      // cycle 2's check still misses rows 1-3 and newly misses 7 and b/1; at cycle 3 every row is back
      [lost(1, 'chaos.a', [1, 2, 3]), lost(2, 'chaos.a', [1, 2, 3, 7]), lost(2, 'chaos.b', [1])],
      200, // 10 rows acknowledged during setup
    );
    expect(figures.cycles).to.deep.equal([
      { cycle: 1, acknowledged: 100, acknowledgedSoFar: 110, missing: 3, newlyLost: 3, lostShare: 3 / 110 },
      { cycle: 2, acknowledged: 50, acknowledgedSoFar: 160, missing: 5, newlyLost: 2, lostShare: 5 / 160 },
      { cycle: 3, acknowledged: 40, acknowledgedSoFar: 200, missing: 0, newlyLost: 0, lostShare: 0 },
    ]);
    expect(figures.total).to.deep.equal({ acknowledged: 200, lost: 5, missingAtEnd: 0, lostShare: 5 / 200 });
    expect(describeAckLoss(figures)).to.equal(
      'acknowledged rows lost: 5/200 (2.5%), still missing at the end: 0  per cycle (missing/acknowledged so far) 1: 3/110, 2: 5/160, 3: 0/200',
    );
  });

  it('keeps rows still missing at the last check, and has no share when nothing was acknowledged', () => {
    expect(ackLossFigures([cycleWith(1, 4)], [lost(1, 'chaos.a', [1, 2])], 4).total).to.deep.equal({ acknowledged: 4, lost: 2, missingAtEnd: 2, lostShare: 0.5 });
    const none = ackLossFigures([cycleWith(1, 0)], [], 0);
    expect(none.cycles[0]?.lostShare).to.equal(null);
    expect(describeAckLoss(none)).to.include('0/0 (n/a)');
  });

  it('takes one finding per cycle a row is still missing in, and ignores other kinds', () => {
    const figures: AckLossFigures = ackLossFigures(
      [cycleWith(1, 10), cycleWith(2, 10), cycleWith(3, 10)],
      [
        // the same lost rows found by the checks of cycles 1, 2 and 3 (one violation record, seen in 1-3)
        lost(1, 'chaos.a', [1, 2]),
        lost(2, 'chaos.a', [1, 2]),
        lost(3, 'chaos.a', [1, 2]),
        { cycle: 2, violation: { kind: 'duplicate', table: 'chaos.a', partition: null, ids: [5] } },
      ],
      30,
    );
    expect(figures.cycles.map((cycle) => [cycle.missing, cycle.newlyLost])).to.deep.equal([[2, 2], [2, 0], [2, 0]]);
    expect(figures.total).to.deep.equal({ acknowledged: 30, lost: 2, missingAtEnd: 2, lostShare: 2 / 30 });
  });
});
