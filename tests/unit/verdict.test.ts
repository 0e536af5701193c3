import { expect } from 'chai';
import { judgeHistory } from '../../src/run/verdict.js';
import { EXIT_CODES } from '../../src/report/result.js';
import type { HistoryEvent } from '../../src/vocabulary/events.js';

const TABLE = 'chaos.t';
const start = (options: Record<string, unknown> = {}): HistoryEvent => ({
  type: 'run-start',
  scenario: 'kill-mid-insert',
  seed: 1,
  target: { kind: 'reference', command: 'x', auth: 'bearer', dataDir: '/d' },
  startedAt: '2026-01-01T00:00:00.000Z',
  options: {
    cycles: 2,
    workload: { namespace: 'chaos', tables: [{ name: 't', type: 'SHARED' }], users: [], writers: 1, rowsPerInsert: { min: 1, max: 1 }, payloadBytes: 16 },
    faults: [{ kind: 'kill', trigger: { kind: 'acks', min: 1, max: 1 }, signal: 'SIGKILL' }],
    checks: ['acknowledged-writes'],
    minAcks: 1,
    maxMissedPhaseShare: 0.5,
    ...options,
  },
});

/** One cycle: the requests (id → outcome), a delivered kill, a restart and a read-back of `present`. */
function cycle(n: number, sent: [number, 'acknowledged' | 'failed'][], present: number[], delivered = true): HistoryEvent[] {
  const events: HistoryEvent[] = [{ type: 'nemesis-planned', cycle: n, fault: 'kill', trigger: { kind: 'after-acks', acks: 1 } }];
  for (const [id, outcome] of sent) {
    events.push({ type: 'request', cycle: n, requestId: id, writer: 0, table: TABLE, partition: null, ids: [id] });
    events.push({ type: 'response', cycle: n, requestId: id, outcome, latencyMs: 1 });
  }
  events.push(
    { type: 'fault', cycle: n, fault: 'kill', signal: 'SIGKILL', delivered, acksThisCycle: sent.length, inFlight: 0, atMs: 1, description: 'SIGKILL' },
    { type: 'writers-stopped', cycle: n, acknowledged: sent.length, failed: 0, indeterminate: 0 },
    { type: 'restart', cycle: n, incarnation: n, readyMs: 5 },
    { type: 'tables-present', cycle: n, present: ['t'] },
    { type: 'read-back', cycle: n, incarnation: n, purpose: 'check', table: TABLE, partition: null, ids: present, countStar: present.length, payloadMismatch: [] },
    { type: 'cycle-end', cycle: n },
  );
  return events;
}

const meta = { runDir: '/runs/x', toolVersion: 'test', finishedAt: '2026-01-01T00:00:01.000Z' };

describe('verdict from the history alone', () => {
  it('passes a run whose every acknowledged row came back', () => {
    const result = judgeHistory([start(), ...cycle(1, [[1, 'acknowledged']], [1]), ...cycle(2, [[2, 'acknowledged']], [1, 2])], meta);
    expect(result).to.include({ verdict: 'pass', exitCode: EXIT_CODES.pass });
    expect(result.coverage).to.deep.equal([]);
    expect(result.cycles.map((entry) => entry.rows.acknowledged)).to.deep.equal([1, 1]);
  });

  it('reports a lost row once, in the cycle it first went missing, with every cycle it stayed missing', () => {
    const result = judgeHistory(
      [start({ cycles: 3 }), ...cycle(1, [[1, 'acknowledged'], [2, 'acknowledged']], [2]), ...cycle(2, [[3, 'acknowledged']], [2]), ...cycle(3, [[4, 'acknowledged']], [2, 4])],
      meta,
    );
    expect(result.verdict).to.equal('fail');
    expect(result.violations.map((record) => ({ id: record.id, cycle: record.cycle, ids: (record.violation as { ids: number[] }).ids, seenInCycles: record.seenInCycles }))).to.deep.equal([
      { id: 'V1', cycle: 1, ids: [1], seenInCycles: [1, 2, 3] },
      { id: 'V2', cycle: 2, ids: [3], seenInCycles: [2, 3] },
    ]);
    // Per cycle: how many violations each check found there, persisting ones included.
    expect(result.cycles.map((entry) => entry.checks.find((check) => check.check === 'acknowledged-writes')?.violations)).to.deep.equal([1, 1, 1]);
    expect(result.ackLoss?.cycles.map((entry) => [entry.missing, entry.newlyLost])).to.deep.equal([[1, 1], [2, 1], [2, 0]]);
  });

  it('calls a run without an acknowledged write inconclusive (exit 3), not a pass', () => {
    const result = judgeHistory([start({ cycles: 1 }), ...cycle(1, [[1, 'failed']], [])], meta);
    expect(result).to.include({ verdict: 'inconclusive', exitCode: EXIT_CODES.inconclusive });
    expect(EXIT_CODES.inconclusive).to.equal(3);
    expect(result.violations).to.deep.equal([]);
    expect(result.coverage.map((gap) => [gap.cycle, gap.kind])).to.deep.equal([[1, 'no-acknowledged-write']]);
    expect(result.cycles[0]?.gaps?.[0]?.detail).to.match(/acknowledged 0 write request\(s\), fewer than --min-acks 1/);
  });

  it('holds each cycle to --min-acks, and a fault that was not delivered is a gap too', () => {
    const result = judgeHistory([start({ cycles: 1, minAcks: 3 }), ...cycle(1, [[1, 'acknowledged'], [2, 'acknowledged']], [1, 2], false)], meta);
    expect(result.verdict).to.equal('inconclusive');
    expect(result.coverage.map((gap) => gap.kind).sort()).to.deep.equal(['fault-not-delivered', 'no-acknowledged-write']);
  });

  it('lets a violation outrank a gap, and an error outrank a gap', () => {
    expect(judgeHistory([start({ cycles: 1 }), ...cycle(1, [[1, 'failed']], [7])], meta).verdict, 'a phantom row').to.equal('fail');
    const error: HistoryEvent = { type: 'error', cycle: 1, step: 'cycle 1: restart', message: 'boom' };
    const result = judgeHistory([start({ cycles: 1 }), ...cycle(1, [[1, 'failed']], []), error], meta);
    expect(result).to.include({ verdict: 'error', exitCode: EXIT_CODES.error });
    expect(result.error).to.deep.equal({ step: 'cycle 1: restart', message: 'boom' });
  });

  it('is inconclusive when flush kills missed their phase in more than the allowed share of cycles', () => {
    const flush = (n: number, asIntended: boolean): HistoryEvent[] => [
      ...cycle(n, [[n, 'acknowledged']], Array.from({ length: n }, (_, index) => index + 1)).slice(0, -1),
      { type: 'flush-landed', cycle: n, intended: 'tmp-written', landed: asIntended ? 'tmp-written' : 'flush-completed', asIntended },
      { type: 'cycle-end', cycle: n },
    ];
    const half = judgeHistory([start(), ...flush(1, true), ...flush(2, false)], meta);
    expect(half.verdict, 'one of two missed: not more than 50%').to.equal('pass');
    const most = judgeHistory([start(), ...flush(1, false), ...flush(2, false)], meta);
    expect(most.verdict).to.equal('inconclusive');
    expect(most.coverage).to.have.length(1);
    expect(most.coverage[0]).to.include({ cycle: 0, kind: 'flush-kill-missed-phase' });
  });
});
