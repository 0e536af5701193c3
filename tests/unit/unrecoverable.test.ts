import { expect } from 'chai';
import { recovery } from '../../src/checker/recovery/index.js';
import { judgeUnrecoverable, type RecoveryEvidence } from '../../src/checker/recovery/unrecoverable.js';
import { parametersOf } from '../../src/run/verdict.js';
import type { HistoryEvent } from '../../src/vocabulary/events.js';

const rows = (acknowledged: number, failed: number) => ({ pending: 0, acknowledged, failed, indeterminate: 0 });
const evidence = (over: Partial<RecoveryEvidence>): RecoveryEvidence => ({
  cycle: 2,
  namespace: 'chaos',
  tables: ['a', 'b'],
  afterRestart: { present: ['a', 'b'] },
  rows: rows(10, 0),
  workloadAfterRestart: true,
  failures: [],
  ...over,
});

describe('target-unrecoverable: when more cycles would test nothing', () => {
  it('passes a cycle whose restart kept the tables and whose writes were acknowledged', () => {
    expect(judgeUnrecoverable(evidence({}))).to.equal(undefined);
    expect(judgeUnrecoverable(evidence({ afterRestart: { present: ['a'] } })), 'one table left is a loss, not the end').to.equal(undefined);
  });

  it('stops when system.tables lists none of the run\'s tables after a restart, naming them', () => {
    const verdict = judgeUnrecoverable(evidence({ cycle: 1, afterRestart: { present: [] }, workloadAfterRestart: false, failures: ['failed TABLE_NOT_FOUND: x'] }));
    expect(verdict?.kind).to.equal('target-unrecoverable');
    expect(verdict?.tablesMissing).to.deep.equal(['chaos.a', 'chaos.b']);
    expect(verdict?.failures).to.deep.equal(['failed TABLE_NOT_FOUND: x']);
    expect(verdict?.reason).to.match(/cycle 1.*none of the run's 2 table/);
  });

  it('stops when every request of a cycle on a restarted server failed', () => {
    const verdict = judgeUnrecoverable(evidence({ rows: rows(0, 640), afterRestart: { error: 'HTTP 401' } }));
    expect(verdict?.reason).to.match(/every request of cycle 2.*640 row/);
    expect(verdict?.requestsFailed).to.equal(640);
    expect(judgeUnrecoverable(evidence({ rows: rows(0, 640), workloadAfterRestart: false })), 'the first cycle runs on a fresh server').to.equal(undefined);
    expect(judgeUnrecoverable(evidence({ rows: rows(0, 0) })), 'nothing answered at all is not "every request failed"').to.equal(undefined);
  });

  it('the recovery checker sees every scope unreadable with "not found" as every table gone, with the first failed answers as evidence', () => {
    const judge = recovery.judge({ event: start, parameters: parametersOf(start) });
    const outputs = [
      { type: 'request', cycle: 2, requestId: 1, writer: 0, table: 'chaos.a', partition: null, ids: [1] },
      { type: 'response', cycle: 2, requestId: 1, outcome: 'acknowledged', latencyMs: 1 },
      { type: 'request', cycle: 2, requestId: 2, writer: 0, table: 'chaos.a', partition: null, ids: [2] },
      { type: 'response', cycle: 2, requestId: 2, outcome: 'failed', latencyMs: 1, code: 'E', error: 'no such table' },
      { type: 'restart', cycle: 2, incarnation: 2, readyMs: 5 },
      { type: 'tables-present', cycle: 2, error: 'x' },
      { type: 'read-back', cycle: 2, incarnation: 2, purpose: 'check', table: 'chaos.a', partition: null, error: 'TABLE_NOT_FOUND' },
      { type: 'read-back', cycle: 2, incarnation: 2, purpose: 'check', table: 'chaos.b', partition: 'u1', error: 'table chaos.b not found' },
      { type: 'cycle-end', cycle: 2 },
    ].flatMap((event) => judge.observe(event as HistoryEvent));
    const violations = outputs.flatMap((output) => output.violations);
    expect(violations.map((violation) => violation.kind)).to.deep.equal(['target-unrecoverable']);
    expect(violations[0]).to.deep.include({ tablesMissing: ['chaos.a', 'chaos.b'] });
    expect((violations[0] as { failures: string[] }).failures).to.deep.equal(['failed E: no such table', 'chaos.a: TABLE_NOT_FOUND', 'chaos.b: table chaos.b not found']);
  });

  it('the recovery checker does not judge a cycle whose restart failed (that is recovery-failed)', () => {
    const judge = recovery.judge({ event: start, parameters: parametersOf(start) });
    const outputs = [
      { type: 'restart-failed', cycle: 1, incarnation: 1, error: 'not ready in 30 s', stderrTail: ['boom'] },
      { type: 'cycle-end', cycle: 1 },
    ].flatMap((event) => judge.observe(event as HistoryEvent));
    expect(outputs.flatMap((output) => output.violations)).to.deep.equal([{ kind: 'recovery-failed', incarnation: 1, error: 'not ready in 30 s', stderrTail: ['boom'] }]);
  });
});

const start = {
  type: 'run-start',
  scenario: 'kill-mid-insert',
  seed: 1,
  target: {},
  options: {
    cycles: 2,
    workload: { namespace: 'chaos', tables: [{ name: 'a', type: 'SHARED' }, { name: 'b', type: 'USER' }], users: ['u1'], writers: 1, rowsPerInsert: { min: 1, max: 1 }, payloadBytes: 16 },
    faults: [{ kind: 'kill', trigger: { kind: 'acks', min: 1, max: 1 }, signal: 'SIGKILL' }],
    checks: ['acknowledged-writes'],
  },
} as const satisfies HistoryEvent;
