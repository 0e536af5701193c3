import { expect } from 'chai';
import { replayConfig } from '../../src/cli/replay-command.js';
import type { RunResult } from '../../src/report/result.js';
import { rowsGoalStop, type RowsProgress } from '../../src/run/rows-goal.js';
import { judgeHistory } from '../../src/run/verdict.js';
import type { HistoryEvent } from '../../src/vocabulary/events.js';
import type { RowsGoal } from '../../src/vocabulary/result.js';

const goal: RowsGoal = { rows: 1000, maxMinutes: 10, stallCycles: 3 };
const progress = (over: Partial<RowsProgress>): RowsProgress => ({ cycle: 1, maxCycles: 100, acknowledged: 0, elapsedMs: 0, idleCycles: 0, ...over });

describe('--rows: when a campaign stops cycling', () => {
  it('goes on while the goal is short and no bound is met', () => {
    expect(rowsGoalStop(goal, progress({ acknowledged: 999, cycle: 99, elapsedMs: 599_999, idleCycles: 2 }))).to.equal(undefined);
  });

  it('stops at the goal, even on the last allowed cycle', () => {
    expect(rowsGoalStop(goal, progress({ acknowledged: 1000 }))).to.equal('reached');
    expect(rowsGoalStop(goal, progress({ acknowledged: 5000, cycle: 100, idleCycles: 3, elapsedMs: 10 * 60_000 }))).to.equal('reached');
  });

  it('stops short of the goal at each bound', () => {
    expect(rowsGoalStop(goal, progress({ cycle: 100 }))).to.equal('max-cycles');
    expect(rowsGoalStop(goal, progress({ elapsedMs: 10 * 60_000 }))).to.equal('max-minutes');
    expect(rowsGoalStop(goal, progress({ idleCycles: 3 }))).to.equal('stalled');
  });
});

describe('--rows in the verdict', () => {
  const TABLE = 'chaos.t';
  const start = (rows: RowsGoal): HistoryEvent => ({
    type: 'run-start',
    scenario: 'kill-mid-insert',
    seed: 1,
    target: { kind: 'reference', command: 'x', auth: 'bearer', dataDir: '/d' },
    startedAt: '2026-01-01T00:00:00.000Z',
    schedule: [
      { kind: 'after-acks', acks: 1 },
      { kind: 'after-acks', acks: 2 },
      { kind: 'after-acks', acks: 3 },
    ],
    options: {
      cycles: 3,
      rows,
      workload: { namespace: 'chaos', tables: [{ name: 't', type: 'SHARED' }], users: [], writers: 1, rowsPerInsert: { min: 5, max: 5 }, payloadBytes: 16 },
      faults: [{ kind: 'kill', trigger: { kind: 'acks', min: 1, max: 3 }, signal: 'SIGKILL' }],
      checks: ['acknowledged-writes'],
      minAcks: 1,
      maxMissedPhaseShare: 0.5,
    },
  });
  /** One cycle of one 5-row INSERT per request id, each acknowledged or failed, all read back. */
  const cycle = (n: number, requests: [number, 'acknowledged' | 'failed'][], presentBefore: number[]): { events: HistoryEvent[]; present: number[] } => {
    const events: HistoryEvent[] = [{ type: 'nemesis-planned', cycle: n, fault: 'kill', trigger: { kind: 'after-acks', acks: n } }];
    const present = [...presentBefore];
    for (const [requestId, outcome] of requests) {
      const ids = Array.from({ length: 5 }, (_, i) => requestId * 10 + i);
      events.push({ type: 'request', cycle: n, requestId, writer: 0, table: TABLE, partition: null, ids });
      events.push({ type: 'response', cycle: n, requestId, outcome, latencyMs: 1 });
      if (outcome === 'acknowledged') present.push(...ids);
    }
    events.push(
      { type: 'fault', cycle: n, fault: 'kill', signal: 'SIGKILL', delivered: true, acksThisCycle: requests.length, inFlight: 0, atMs: 1, description: 'SIGKILL' },
      { type: 'writers-stopped', cycle: n, acknowledged: requests.length, failed: 0, indeterminate: 0 },
      { type: 'restart', cycle: n, incarnation: n, readyMs: 5 },
      { type: 'tables-present', cycle: n, present: ['t'] },
      { type: 'read-back', cycle: n, incarnation: n, purpose: 'check', table: TABLE, partition: null, ids: present, countStar: present.length, payloadMismatch: [] },
      { type: 'cycle-end', cycle: n },
    );
    return { events, present };
  };
  const meta = { runDir: '/runs/x', toolVersion: 'test', finishedAt: '2026-01-01T00:00:01.000Z' };

  it('passes a run that reached its goal, reports asked and reached, and the schedule of the cycles it ran', () => {
    const one = cycle(1, [[1, 'acknowledged'], [2, 'failed']], []);
    const two = cycle(2, [[3, 'acknowledged'], [4, 'acknowledged']], one.present);
    const result = judgeHistory(
      [start({ rows: 15, maxMinutes: 60, stallCycles: 3 }), ...one.events, ...two.events, { type: 'rows-goal', cycle: 2, goal: 15, acknowledged: 15, stoppedBy: 'reached' }],
      meta,
    );
    expect(result.verdict).to.equal('pass');
    expect(result.rowsGoal).to.deep.equal({ asked: 15, acknowledged: 15, reached: true, cycles: 2, stoppedBy: 'reached' });
    expect(result.totals.rows.acknowledged).to.equal(15);
    expect(result.schedule).to.have.length(2);
    expect(result.coverage).to.deep.equal([]);
  });

  it('a run that stopped short of its goal is inconclusive, saying which bound stopped it', () => {
    const one = cycle(1, [[1, 'acknowledged']], []);
    const result = judgeHistory(
      [start({ rows: 1000, maxMinutes: 60, stallCycles: 3 }), ...one.events, { type: 'rows-goal', cycle: 1, goal: 1000, acknowledged: 5, stoppedBy: 'max-minutes' }],
      meta,
    );
    expect(result).to.include({ verdict: 'inconclusive', exitCode: 3 });
    expect(result.rowsGoal).to.deep.equal({ asked: 1000, acknowledged: 5, reached: false, cycles: 1, stoppedBy: 'max-minutes' });
    expect(result.coverage).to.deep.equal([
      { cycle: 0, kind: 'rows-not-reached', detail: '--rows 1000 asked, 5 acknowledged after 1 cycle(s): the bound of 60 minutes (--max-minutes) was reached' },
    ]);
  });

  it('counts only acknowledged rows: failed INSERTs and unanswered ones do not bring the goal closer', () => {
    const one = cycle(1, [[1, 'failed'], [2, 'failed']], []);
    const pending: HistoryEvent = { type: 'request', cycle: 2, requestId: 3, writer: 0, table: TABLE, partition: null, ids: [30, 31, 32, 33, 34] };
    const two = cycle(2, [[4, 'acknowledged']], one.present);
    two.events.splice(1, 0, pending);
    const result = judgeHistory([start({ rows: 10, maxMinutes: 60, stallCycles: 3 }), ...one.events, ...two.events, { type: 'rows-goal', cycle: 2, goal: 10, acknowledged: 5, stoppedBy: 'stalled' }], meta);
    expect(result.verdict).to.equal('inconclusive');
    expect(result.rowsGoal?.acknowledged).to.equal(5);
    expect(result.coverage.find((gap) => gap.kind === 'rows-not-reached')?.detail).to.equal('--rows 10 asked, 5 acknowledged after 2 cycle(s): 3 cycles in a row acknowledged no new row');
  });
});

describe('--rows in a replay', () => {
  it('replays to the same goal within the same bound of cycles', () => {
    const original = {
      scenario: 'kill-mid-insert',
      seed: 4,
      target: { kind: 'reference', command: 'x', auth: 'bearer', dataDir: '/d', defects: [] },
      parameters: { cycles: 1000, rows: { rows: 2000, maxMinutes: 60, stallCycles: 3 } },
      cycles: [],
    } as unknown as RunResult;
    const config = replayConfig(original, '/tmp/replays');
    expect(config.cycles).to.equal(1000);
    expect(config.rows).to.deep.equal({ rows: 2000, maxMinutes: 60, stallCycles: 3 });
    const withoutGoal = replayConfig({ ...original, parameters: { cycles: 3 } } as unknown as RunResult, '/tmp/replays');
    expect(withoutGoal.rows).to.equal(undefined);
    expect(withoutGoal.cycles).to.equal(3);
  });
});
