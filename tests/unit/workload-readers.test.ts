import { expect } from 'chai';
import type { RunStart } from '../../src/run/seams.js';
import type { HistoryEvent, RequestOutcome } from '../../src/vocabulary/events.js';
import type { Violation } from '../../src/vocabulary/violations.js';
import { readersChecker } from '../../src/workload/readers/check.js';
import { createReadersPlanner, ID_BLOCK, positionOf, readerId } from '../../src/workload/readers/plan.js';

const RUN: RunStart = { event: { type: 'run-start', scenario: 's', seed: 1, options: {}, target: {} }, parameters: { workload: { namespace: 'chaos' } } as never };
const TABLE = 'chaos.read_rows';

/** A hand-built history of inserts and range reads, each request and response placed explicitly. */
function history() {
  const events: HistoryEvent[] = [];
  let next = 0;
  const h = {
    events,
    /** Sends a request and returns its id; answer it with `answer`. */
    insert(cycle: number, ids: number[]): number {
      const requestId = ++next;
      events.push({ type: 'request', cycle, requestId, writer: 0, table: TABLE, partition: null, ids: [], op: { workload: 'readers', f: 'insert', keys: ids } });
      return requestId;
    },
    read(cycle: number, from: number, to: number): number {
      const requestId = ++next;
      events.push({ type: 'request', cycle, requestId, writer: 1, table: TABLE, partition: null, ids: [], op: { workload: 'readers', f: 'read', keys: [from, to] } });
      return requestId;
    },
    answer(cycle: number, requestId: number, outcome: RequestOutcome, rows?: number[]) {
      events.push({ type: 'response', cycle, requestId, outcome, latencyMs: 1, ...(rows ? { rows: rows.map((id) => [String(id)]), rowCount: rows.length } : {}) });
      return h;
    },
    acknowledgedInsert(cycle: number, ids: number[]) {
      return h.answer(cycle, h.insert(cycle, ids), 'acknowledged');
    },
    stop(cycle: number) {
      events.push({ type: 'writers-stopped', cycle, acknowledged: 0, failed: 0, indeterminate: 0 });
      return h;
    },
    readBack(cycle: number, ids: number[]) {
      events.push({ type: 'read-back', cycle, incarnation: cycle, purpose: 'check', table: TABLE, partition: null, workload: 'readers', ids, countStar: ids.length });
      return h;
    },
    end(cycle: number) {
      events.push({ type: 'cycle-end', cycle });
      return h;
    },
  };
  return h;
}

function violationsOf(events: readonly HistoryEvent[]): Violation[] {
  const judge = readersChecker.judge(RUN);
  return [...events.flatMap((event) => judge.observe(event)), ...judge.finish()].flatMap((output) => output.violations);
}

const summary = (violations: readonly Violation[]) => violations.map((violation) => ({ kind: violation.kind, keys: 'keys' in violation ? violation.keys : [] }));

describe('readers workload checker', () => {
  it('passes reads that see every row acknowledged before them, with in-flight rows either way', () => {
    const h = history().acknowledgedInsert(1, [1, 2, 3]);
    const pending = h.insert(1, [4, 5]);
    const early = h.read(1, 1, 10);
    h.answer(1, early, 'acknowledged', [1, 2, 3, 4]);
    h.answer(1, pending, 'acknowledged');
    // A read that began before insert 6 was acknowledged need not see it.
    const overlapping = h.read(1, 1, 10);
    h.answer(1, h.insert(1, [6]), 'acknowledged');
    h.answer(1, overlapping, 'acknowledged', [1, 2, 3, 4, 5]);
    h.stop(1).readBack(1, [1, 2, 3, 4, 5, 6]).end(1);
    expect(violationsOf(h.events)).to.deep.equal([]);
  });

  it('reports a read missing a row acknowledged before it began as stale-read', () => {
    const h = history().acknowledgedInsert(1, [1, 2, 3]);
    h.answer(1, h.read(1, 1, 10), 'acknowledged', [1, 3]);
    h.end(1);
    const found = violationsOf(h.events);
    expect(summary(found)).to.deep.equal([{ kind: 'stale-read', keys: [2] }]);
    expect(found[0]).to.deep.include({ workload: 'readers', table: TABLE, partition: null, requestIds: [2] });
  });

  it('only owes a full page up to its last row', () => {
    const ids = Array.from({ length: 1001 }, (_, index) => index + 1);
    const h = history().acknowledgedInsert(1, ids);
    h.answer(1, h.read(1, 1, 1100), 'acknowledged', ids.slice(0, 1000));
    h.end(1);
    expect(violationsOf(h.events)).to.deep.equal([]);
  });

  it('reports rows never sent, cleanly refused, or outside the range as phantom-read', () => {
    const h = history();
    h.answer(1, h.insert(1, [1]), 'failed');
    h.acknowledgedInsert(1, [20]);
    h.answer(1, h.read(1, 1, 10), 'acknowledged', [1, 7, 20]);
    h.end(1);
    expect(summary(violationsOf(h.events))).to.deep.equal([{ kind: 'phantom-read', keys: [1, 7, 20] }]);
  });

  it('reports a row a read saw while its insert was in flight once that insert fails', () => {
    const h = history();
    const insert = h.insert(1, [1, 2]);
    h.answer(1, h.read(1, 1, 10), 'acknowledged', [1]);
    h.answer(1, insert, 'failed').end(1);
    expect(summary(violationsOf(h.events))).to.deep.equal([{ kind: 'phantom-read', keys: [1] }]);
  });

  it('ignores reads that failed or never got an answer', () => {
    const h = history().acknowledgedInsert(1, [1, 2]);
    h.answer(1, h.read(1, 1, 10), 'failed');
    h.read(1, 1, 10);
    h.stop(1).readBack(1, [1, 2]).end(1);
    expect(violationsOf(h.events)).to.deep.equal([]);
  });

  it('judges reads across restarts: acknowledged rows stay owed, indeterminate ones are allowed, never owed', () => {
    const h = history().acknowledgedInsert(1, [1, 2]);
    h.insert(1, [3]);
    h.stop(1).readBack(1, [1, 2, 3]).end(1);
    h.answer(2, h.read(2, 1, 10), 'acknowledged', [1, 2]);
    h.answer(2, h.read(2, 1, 10), 'acknowledged', [2, 3]);
    h.end(2);
    const found = violationsOf(h.events);
    expect(summary(found)).to.deep.equal([{ kind: 'stale-read', keys: [1] }]);
    expect(found[0]).to.deep.include({ requestIds: [4] });
  });

  it('holds the read-back after a restart to every acknowledged row and nothing else, once each', () => {
    const h = history().acknowledgedInsert(1, [1, 2, 3]);
    h.answer(1, h.insert(1, [4]), 'failed');
    h.insert(1, [5]);
    h.stop(1).readBack(1, [1, 3, 3, 4, 5, 9]).end(1);
    expect(summary(violationsOf(h.events))).to.have.deep.members([
      { kind: 'phantom-read', keys: [3, 4, 9] },
      { kind: 'stale-read', keys: [2] },
    ]);
  });

  it('emits one output per cycle with its stats, violations or not', () => {
    const judge = readersChecker.judge(RUN);
    const h = history().acknowledgedInsert(1, [1]);
    h.answer(1, h.read(1, 1, 5), 'acknowledged', [1]);
    h.end(1);
    const outputs = h.events.flatMap((event) => judge.observe(event));
    expect(outputs.map((output) => [output.check, output.cycle, output.violations.length])).to.deep.equal([['readers', 1, 0]]);
    expect(outputs[0]!.stats).to.include({ reads: 1, readsJudged: 1, insertsAcknowledged: 1, rowsRequired: 1 });
  });
});

describe('readers workload generator', () => {
  const planOf = (seed: number) => {
    const planner = createReadersPlanner('chaos.read_rows', seed, 3, { min: 1, max: 8 });
    const sql: string[] = [];
    for (let step = 0; step < 60; step++) sql.push(step % 3 === 2 ? planner.read(step % 2).sql : planner.insert(step % 3).sql);
    return sql;
  };

  it('gives the same SQL for the same seed and call order, other SQL for another seed', () => {
    expect(planOf(11)).to.deep.equal(planOf(11));
    expect(planOf(11)).to.not.deep.equal(planOf(12));
  });

  it('makes ids dense per writer and never twice; reads a range of a few hundred ids of one writer', () => {
    const planner = createReadersPlanner('chaos.read_rows', 5, 2, { min: 2, max: 5 });
    const ids = [...planner.insert(0).ids, ...planner.insert(1).ids, ...planner.insert(0).ids];
    expect(new Set(ids).size).to.equal(ids.length);
    const writer0 = ids.filter((id) => positionOf(id)!.writer === 0);
    expect(writer0).to.deep.equal(writer0.map((_, index) => readerId(0, index)));
    for (let reader = 0; reader < 20; reader++) {
      const { range, sql } = planner.read(reader % 2);
      expect(range[1] - range[0]).to.be.within(100, 400);
      expect(Math.floor((range[0] - 1) / ID_BLOCK)).to.be.within(0, 1);
      expect(sql).to.equal(`SELECT id FROM chaos.read_rows WHERE id >= ${range[0]} AND id < ${range[1]} ORDER BY id LIMIT 1000`);
    }
  });
});
