import { expect } from 'chai';
import { createConflictJudge } from '../../src/workload/conflict/check.js';
import { createConflictGenerator } from '../../src/workload/conflict/generator.js';
import type { HistoryEvent, RequestOutcome } from '../../src/vocabulary/events.js';
import type { Violation } from '../../src/vocabulary/violations.js';

const TABLE = 'chaos.conflict_rows';

/** A statement as the history records it: its request and, unless unanswered, its response. */
function statement(requestId: number, keys: number[], outcome: RequestOutcome | 'unanswered'): HistoryEvent[] {
  const events: HistoryEvent[] = [
    { type: 'request', cycle: 1, requestId, writer: 0, table: TABLE, partition: null, ids: [], op: { workload: 'conflict', f: 'insert', keys, value: `r${requestId}` } },
  ];
  if (outcome !== 'unanswered') events.push({ type: 'response', cycle: 1, requestId, outcome, latencyMs: 1 });
  return events;
}

/** The read-back after the restart: each row is [key, tag of the statement that wrote it]. */
function readBack(rows: [number, number][]): HistoryEvent[] {
  return [
    { type: 'writers-stopped', cycle: 1, acknowledged: 0, failed: 0, indeterminate: 0 },
    {
      type: 'read-back',
      cycle: 1,
      incarnation: 2,
      purpose: 'check',
      table: TABLE,
      partition: null,
      workload: 'conflict',
      ids: rows.map(([key]) => key),
      countStar: rows.length,
      columns: ['id', 'tag'],
      rows: rows.map(([key, requestId]) => [String(key), `r${requestId}`]),
    },
    { type: 'cycle-end', cycle: 1 },
  ];
}

function judge(events: HistoryEvent[]): Violation[] {
  const conflict = createConflictJudge();
  return events.flatMap((event) => conflict.observe(event)).flatMap((output) => output.violations);
}

const kinds = (violations: Violation[]) => violations.map((violation) => `${violation.kind}: ${'detail' in violation ? violation.detail : ''}`);

describe('conflict workload checker', () => {
  it('passes a history where the conflicting statement failed whole and the others are complete', () => {
    const events = [...statement(1, [1, 2], 'acknowledged'), ...statement(2, [3, 2], 'failed'), ...statement(3, [4, 5], 'unanswered'), ...readBack([[1, 1], [2, 1]])];
    expect(judge(events)).to.deep.equal([]);
  });

  it('accepts an unanswered statement that landed whole', () => {
    expect(judge([...statement(1, [4, 5], 'unanswered'), ...readBack([[4, 1], [5, 1]])])).to.deep.equal([]);
  });

  it('finds a failed statement that left some of its rows', () => {
    const found = judge([...statement(1, [1, 2], 'acknowledged'), ...statement(2, [3, 2], 'failed'), ...readBack([[1, 1], [2, 1], [3, 2]])]);
    expect(kinds(found)).to.deep.equal(['partial-statement: a failed statement left rows']);
    expect(found[0]).to.include({ table: TABLE, count: 1 });
    expect((found[0] as { keys: number[] }).keys).to.deep.equal([3]);
  });

  it('finds an unanswered statement that landed in part', () => {
    expect(kinds(judge([...statement(1, [4, 5], 'unanswered'), ...readBack([[4, 1]])]))).to.deep.equal(['partial-statement: an unanswered statement left only some of its rows']);
  });

  it('finds an acknowledged statement whose rows are gone', () => {
    expect(kinds(judge([...statement(1, [1, 2], 'acknowledged'), ...readBack([])]))).to.deep.equal(['partial-statement: an acknowledged statement left none of its rows']);
  });

  it('finds an acknowledged statement that repeated a key inside itself', () => {
    const found = kinds(judge([...statement(1, [7, 7], 'acknowledged'), ...readBack([[7, 1]])]));
    expect(found).to.deep.equal(['duplicate-key-accepted: a statement repeating a key inside itself was acknowledged']);
  });

  it('finds two acknowledged statements sharing a key, and a key stored twice', () => {
    const found = kinds(judge([...statement(1, [1, 2], 'acknowledged'), ...statement(2, [2, 3], 'acknowledged'), ...readBack([[1, 1], [2, 1], [2, 2], [3, 2]])]));
    expect(found).to.include('duplicate-key-accepted: a statement was acknowledged although an acknowledged statement had already stored one of its keys');
    expect(found).to.include('duplicate-key-accepted: a primary key holds more than one row');
  });

  it('finds a row no statement wrote', () => {
    expect(kinds(judge([...statement(1, [1], 'acknowledged'), ...readBack([[1, 1], [9, 1]])]))).to.deep.equal(['unknown-value: a row carries the tag of no statement that sent its key']);
  });
});

describe('conflict workload generator', () => {
  const scopes = [{ table: TABLE, partition: null }];
  const plan = (seed: number) => {
    const generator = createConflictGenerator({ seed, processes: 2, scopes, rowsPerInsert: { min: 2, max: 6 } });
    return Array.from({ length: 200 }, (_, index) => {
      const next = generator.next(index % 2, 1);
      if (index % 3 === 0) generator.acknowledged(next);
      return next;
    });
  };

  it('plans the same statements for the same seed, and others for another', () => {
    expect(plan(5)).to.deep.equal(plan(5));
    expect(plan(5)).to.not.deep.equal(plan(6));
  });

  it('makes every kind of conflict', () => {
    const statements = plan(5);
    expect(new Set(statements.map((statement) => statement.shape))).to.have.keys('fresh', 'repeat-inside', 'recent-of-any-writer', 'already-stored', 'contested');
    const repeated = statements.filter((statement) => statement.shape === 'repeat-inside');
    expect(repeated.every((statement) => new Set(statement.keys).size < statement.keys.length)).to.equal(true);
  });
});
