import { expect } from 'chai';
import { classifyRecovery } from '../../src/checker/recovery-outcome/classify.js';
import type { Violation } from '../../src/checker/types.js';

const names = ['storage/chaos/user_rows/carol/manifest.json', 'batch-9999.parquet', 'chaos.user_rows'];
const ready = { kind: 'ready' as const };
const unreadableCarol: Violation = {
  kind: 'unreadable',
  table: 'chaos.user_rows',
  partition: 'carol',
  error: 'SQL_EXECUTION_ERROR: Table not found: Failed to open Parquet stream: Object at location .../carol/batch-9999.parquet not found',
};
const lost = (partition: string): Violation => ({ kind: 'lost', table: 'chaos.user_rows', partition, ids: [91, 95] });

describe('recovery outcome of a damaged data directory', () => {
  it('is refused when the damaged scope answers an error naming the file, even though its rows are counted lost', () => {
    const judged = classifyRecovery({ start: ready, logLines: [], violations: [unreadableCarol, lost('carol')], names });
    expect(judged).to.include({ outcome: 'refused', damageRead: true });
  });

  it('is silent-loss when another scope lost rows without a word', () => {
    const judged = classifyRecovery({ start: ready, logLines: [], violations: [unreadableCarol, lost('carol'), lost('bob')], names });
    expect(judged.outcome).to.equal('silent-loss');
    expect(judged.evidence.join('\n')).to.include('"partition":"bob"');
  });

  it('is silent-loss when rows are missing and nothing names the damage', () => {
    expect(classifyRecovery({ start: ready, logLines: [], violations: [lost('carol')], names }).outcome).to.equal('silent-loss');
  });

  it('is rebuilt when every row is there, refused when a write into the scope was refused naming it', () => {
    expect(classifyRecovery({ start: ready, logLines: [], violations: [], names }).outcome).to.equal('rebuilt');
    expect(classifyRecovery({ start: ready, logLines: [], violations: [], writeErrors: ['Failed to parse manifest.json: storage/chaos/user_rows/carol/manifest.json'], names }).outcome).to.equal('refused');
  });

  it('is panic on a panic line, and an exit is refused only when it names the damage', () => {
    expect(classifyRecovery({ start: ready, logLines: ["thread 'main' panicked at src/x.rs:1:1"], violations: [], names }).outcome).to.equal('panic');
    expect(classifyRecovery({ start: { kind: 'exited', exitCode: 1, signal: null }, logLines: ['cannot read storage/chaos/user_rows/carol/manifest.json'], violations: [], names }).outcome).to.equal('refused');
    expect(classifyRecovery({ start: { kind: 'exited', exitCode: 1, signal: null }, logLines: ['bye'], violations: [], names }).outcome).to.equal('panic');
  });
});
