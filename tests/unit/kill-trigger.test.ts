import { expect } from 'chai';
import { createAckCounter, planKillTriggers, triggerFired } from '../../src/nemesis/kill-trigger.js';
import { seededRandom } from '../../src/util/random.js';
import { initialWorkloadState, payloadFor, rowId } from '../../src/workload/insert-workload.js';
import { killMidInsert } from '../../chaos/kill-mid-insert.js';

describe('kill schedule and workload determinism', () => {
  it('gives the same kill schedule for the same seed and a different one for another seed', () => {
    const spec = { kind: 'acks', min: 10, max: 1000 } as const;
    const a = planKillTriggers(spec, seededRandom(42).fork('nemesis'), 5);
    const b = planKillTriggers(spec, seededRandom(42).fork('nemesis'), 5);
    const c = planKillTriggers(spec, seededRandom(43).fork('nemesis'), 5);
    expect(a).to.deep.equal(b);
    expect(a).to.not.deep.equal(c);
    for (const trigger of a) {
      expect(trigger.kind).to.equal('after-acks');
      if (trigger.kind === 'after-acks') expect(trigger.acks).to.be.within(10, 1000);
    }
  });

  it('gives every writer the same sequence of tables, users and batch sizes for a seed', () => {
    const spec = { ...killMidInsert.workload, writers: 3 };
    const draw = (seed: number) => {
      const state = initialWorkloadState(spec, seed);
      return state.writers.map((writer) => Array.from({ length: 20 }, () => writer.random.int(0, 1_000_000)));
    };
    expect(draw(7)).to.deep.equal(draw(7));
    expect(draw(7)).to.not.deep.equal(draw(8));
  });

  it('never gives two writers the same id', () => {
    const spec = { ...killMidInsert.workload, writers: 4 };
    const ids = new Set<number>();
    for (let writer = 0; writer < 4; writer++) for (let n = 0; n < 500; n++) ids.add(rowId(spec, writer, n));
    expect(ids.size).to.equal(2000);
  });

  it('makes payloads a function of seed and id, of the requested size and quote-free', () => {
    expect(payloadFor(1, 5, 64)).to.equal(payloadFor(1, 5, 64));
    expect(payloadFor(1, 5, 64)).to.not.equal(payloadFor(2, 5, 64));
    expect(payloadFor(1, 5, 64)).to.have.length(64);
    expect(payloadFor(1, 123456, 64)).to.not.include("'");
  });

  it('fires an ack trigger exactly when the count is reached', async () => {
    const acks = createAckCounter();
    let fired = false;
    const { fired: promise } = triggerFired({ kind: 'after-acks', acks: 3 }, acks);
    void promise.then(() => (fired = true));
    acks.add(1);
    acks.add(1);
    await Promise.resolve();
    expect(fired).to.equal(false);
    acks.add(1);
    await promise;
    expect(fired).to.equal(true);
  });
});
