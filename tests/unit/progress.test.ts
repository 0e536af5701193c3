import { expect } from 'chai';
import { progressPrinter } from '../../src/cli/progress.js';

describe('progress output', () => {
  const tick = (acknowledged: number, violations = 0) => ({ kind: 'tick' as const, cycle: 2, cycles: 5, acknowledged, violations });

  it('keeps a status line up to date in place on a terminal, and prints events above it', () => {
    const out: string[] = [];
    const print = progressPrinter(false, true, (text) => out.push(text));
    print(tick(100));
    print(tick(300, 1));
    print({ kind: 'fault', cycle: 2, cycles: 5, description: 'SIGKILL after 300 acks' });
    const text = out.join('');
    expect(text).to.include('\r\x1b[2Kcycle 2/5 · 300 rows acknowledged');
    expect(text).to.include('1 violation(s)');
    // The event line clears the status, is printed on its own line, then the status comes back.
    // eslint-disable-next-line no-control-regex -- the status line is drawn with ANSI escapes (ESC [2K clears it)
    expect(text).to.match(/\r\x1b\[2Kcycle 2\/5: SIGKILL after 300 acks\ncycle 2\/5 · 300 rows/);
  });

  it('prints plain lines, one per event, when not on a terminal, and nothing for ticks', () => {
    const out: string[] = [];
    const print = progressPrinter(false, false, (text) => out.push(text));
    print(tick(100));
    print({ kind: 'ready', incarnation: 1, readyMs: 300 });
    expect(out).to.deep.equal(['server incarnation 1 ready in 300 ms\n']);
  });

  it('--quiet says only what must be said', () => {
    const out: string[] = [];
    const print = progressPrinter(true, true, (text) => out.push(text));
    print(tick(100));
    print({ kind: 'ready', incarnation: 1, readyMs: 300 });
    print({ kind: 'orphan-stopped', pid: 42, runDir: '/runs/x' });
    expect(out.join('')).to.equal('kalam-chaos: stopped server pid 42 left running by an earlier kalam-chaos that was killed (run folder /runs/x)\n');
  });
});
