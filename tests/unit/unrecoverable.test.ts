import { expect } from 'chai';
import type { CheckResult } from '../../src/checker/types.js';
import { discardHistory } from '../../src/history/history.js';
import { everyScopeNotFound, judgeUnrecoverable, readBackFailures, tapFailures, type RecoveryEvidence } from '../../src/run/unrecoverable.js';

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

  it('sees every scope unreadable with "not found" as every table gone', () => {
    const scopes = [{ table: 'chaos.a', partition: null }, { table: 'chaos.b', partition: 'u1' }];
    const check = (errors: string[]): CheckResult[] => [
      { check: 'acknowledged-writes', cycle: 1, ok: false, violations: scopes.map((scope, i) => ({ kind: 'unreadable' as const, ...scope, error: errors[i]! })) },
    ];
    expect(everyScopeNotFound(check(['TABLE_NOT_FOUND', 'table chaos.b not found']), scopes)).to.equal(true);
    expect(readBackFailures(check(['TABLE_NOT_FOUND', 'TABLE_NOT_FOUND']))).to.deep.equal(['chaos.a: TABLE_NOT_FOUND', 'chaos.b: TABLE_NOT_FOUND']);
    expect(everyScopeNotFound(check(['TABLE_NOT_FOUND', 'timeout']), scopes)).to.equal(false);
    expect(judgeUnrecoverable(evidence({ afterRestart: { error: 'x' }, everyScopeNotFound: true }))?.tablesMissing).to.have.length(2);
  });

  it('keeps the first distinct failed answers it sees as evidence, and passes every event on', () => {
    const seen: string[] = [];
    const base = discardHistory();
    const tap = tapFailures({ ...base, record: (event) => seen.push(event.type) });
    const response = (requestId: number, error?: string) =>
      ({ type: 'response', cycle: 1, requestId, outcome: error ? 'failed' : 'acknowledged', latencyMs: 1, ...(error ? { error, code: 'E' } : {}) }) as const;
    tap.history.record(response(1));
    tap.history.record({ type: 'response', cycle: 1, requestId: 99, outcome: 'indeterminate', latencyMs: 1, error: 'ECONNRESET' });
    for (let i = 0; i < 3; i++) tap.history.record(response(2 + i, 'no such table'));
    for (let i = 0; i < 10; i++) tap.history.record(response(10 + i, `boom ${i}`));
    expect(seen).to.have.length(15);
    expect(tap.failures()).to.deep.equal(['failed E: no such table', 'failed E: boom 0', 'failed E: boom 1', 'failed E: boom 2', 'failed E: boom 3']);
  });
});
