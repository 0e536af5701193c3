import { expect } from 'chai';
import { describeCycleList, describePersistence, formatSummary } from '../../src/report/summary.js';
import { inconclusiveResult, persistingResult, sampleResult } from './sample-result.js';

describe('formatSummary', () => {
  it('prints each violation record once with its id and first cycle, and the error', () => {
    const lines = formatSummary(sampleResult(), '/tmp/run').split('\n');
    expect(lines[0]).to.equal('FAIL: kill-mid-insert seed=5 target=reference defects=ack-before-write');
    expect(lines).to.include('  V1 cycle 1 [acknowledged-writes] lost: 3 acknowledged row(s) missing from chaos.user_<rows> & "co" (user al\'ice): 7, 8, 9');
    expect(lines).to.include('  V2 cycle 2 [availability] unavailable: writers <gave up>');
    expect(lines).to.include('  error during "cycle 2: checks <x>": boom & <bust> "quoted" \u0001');
    expect(lines.at(-1)).to.equal('  run folder: /tmp/run');
    expect(lines.some((line) => line.includes('coverage gap'))).to.equal(false);
  });

  it('prints a persisting violation once, saying the cycles it persisted through', () => {
    const text = formatSummary(persistingResult(), '/tmp/run');
    expect(text.match(/lost: /g)).to.have.length(1);
    expect(text.split('\n')).to.include('  V1 cycle 1 [acknowledged-writes] lost: 2 acknowledged row(s) missing from chaos.shared_rows: 41, 42; persisted through cycles 2-3');
  });

  it('says why a run is inconclusive and lists each coverage gap once', () => {
    const lines = formatSummary(inconclusiveResult(), '/tmp/run').split('\n');
    expect(lines[0]).to.match(/^INCONCLUSIVE: kill-mid-insert seed=5/);
    expect(lines).to.include('  inconclusive: no violation and no error, but the run tested too little: no-acknowledged-write (the run); fault-not-delivered (cycle 2)');
    expect(lines.filter((line) => line.startsWith('  coverage gap: '))).to.deep.equal([
      '  coverage gap: run no-acknowledged-write: only 1 cycle of 2 had an acknowledged write',
      '  coverage gap: cycle 2 fault-not-delivered: the server <had> exited & "stopped" before the kill',
    ]);
  });

  it('words persistence: a range, a single cycle, a violation that came back', () => {
    expect(describeCycleList([5, 2, 3, 4, 7, 9, 10])).to.equal('2-5, 7, 9-10');
    const record = (seenInCycles: number[]) => ({ id: 'V1', cycle: 1, check: 'c', violation: { kind: 'unavailable' as const, detail: 'x' }, seenInCycles });
    expect(describePersistence(record([1]))).to.equal('');
    expect(describePersistence(record([1, 2]))).to.equal('persisted through cycle 2');
    expect(describePersistence(record([1, 2, 3]))).to.equal('persisted through cycles 2-3');
    expect(describePersistence(record([1, 3, 5, 6]))).to.equal('seen again in cycles 3, 5-6');
  });
});
