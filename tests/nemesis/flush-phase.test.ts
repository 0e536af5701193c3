import { expect } from 'chai';
import { FLUSH_PHASES, LANDED_PHASES, isFlushPhase, landedAsIntended } from '../../src/nemesis/flush-phase.js';

describe('flush phases', () => {
  it('recognises exactly the listed phases', () => {
    for (const phase of FLUSH_PHASES) expect(isFlushPhase(phase)).to.equal(true);
    for (const value of ['', 'flush-completed', 'before-flush', 'RANDOM', 3, undefined, null]) expect(isFlushPhase(value)).to.equal(false);
  });

  it('judges whether a kill landed where it was aimed', () => {
    expect(landedAsIntended('tmp-written', 'tmp-written')).to.equal(true);
    expect(landedAsIntended('tmp-written', 'segment-renamed')).to.equal(false);
    expect(landedAsIntended('job-running', 'before-flush')).to.equal(false);
    expect(landedAsIntended('manifest-written', 'flush-completed')).to.equal(false);
    expect(landedAsIntended('hot-deleting', 'manifest-written')).to.equal(true);
    expect(landedAsIntended('hot-deleting', 'flush-completed')).to.equal(false);
    for (const landed of LANDED_PHASES) expect(landedAsIntended('random', landed)).to.equal(true);
  });
});
