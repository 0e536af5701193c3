import { expect } from 'chai';
import type { JudgeOutput } from '../../src/run/seams.js';
import { seededRandom } from '../../src/util/random.js';
import type { Cell, HistoryEvent } from '../../src/vocabulary/events.js';
import type { Violation } from '../../src/vocabulary/violations.js';
import { judgeRegister } from '../../src/workload/register/check.js';
import { KEYS, parseTag, schemaStatements, tagOf, writeSequence } from '../../src/workload/register/plan.js';

const TABLE = 'chaos.registers';
const SCOPE = { table: TABLE, partition: null };

/** A little history builder: writes by tag, their answers, a read-back and the cycle's end. */
function history() {
  const events: HistoryEvent[] = [];
  let nextRequestId = 1;
  const requestIds = new Map<string, number>();
  const builder = {
    events,
    /** The request of process `process`'s n-th write to `key`. */
    begin(process: number, n: number, key: number, f: 'update' | 'increment' = 'update', cycle = 1) {
      const requestId = nextRequestId++;
      const value = tagOf(process, n);
      requestIds.set(value, requestId);
      events.push({ type: 'request', cycle, requestId, writer: process, table: TABLE, partition: null, ids: [], op: { workload: 'register', f, keys: [key], value } });
      return builder;
    },
    end(process: number, n: number, outcome: 'acknowledged' | 'failed' | 'indeterminate', rowCount: number | undefined = outcome === 'acknowledged' ? 1 : undefined, cycle = 1) {
      const requestId = requestIds.get(tagOf(process, n))!;
      events.push({ type: 'response', cycle, requestId, outcome, latencyMs: 1, ...(rowCount === undefined ? {} : { rowCount }) });
      return builder;
    },
    write(process: number, n: number, key: number, outcome: 'acknowledged' | 'failed' | 'indeterminate', f: 'update' | 'increment' = 'update') {
      return builder.begin(process, n, key, f).end(process, n, outcome);
    },
    writersStopped(cycle = 1) {
      events.push({ type: 'writers-stopped', cycle, acknowledged: 0, failed: 0, indeterminate: 0 });
      return builder;
    },
    /** Reads every key back: `values` overrides the rows of some keys ([v, n]); the others hold init, 0. */
    read(values: Record<number, [Cell, Cell]> = {}, cycle = 1, extraRows: Cell[][] = [], without: number[] = []) {
      const rows: Cell[][] = [];
      for (let key = 1; key <= KEYS; key++) {
        if (without.includes(key)) continue;
        const [v, n] = values[key] ?? ['init', '0'];
        rows.push([String(key), v, n]);
      }
      rows.push(...extraRows);
      events.push({ type: 'read-back', cycle, incarnation: cycle, purpose: 'check', table: TABLE, partition: null, workload: 'register', ids: rows.map((row) => Number(row[0])), columns: ['id', 'v', 'n'], rows });
      return builder;
    },
    cycleEnd(cycle = 1) {
      events.push({ type: 'cycle-end', cycle });
      return builder;
    },
    requestId: (process: number, n: number) => requestIds.get(tagOf(process, n))!,
  };
  return builder;
}

function judge(events: readonly HistoryEvent[]): JudgeOutput[] {
  const judged = judgeRegister();
  const outputs = events.flatMap((event) => judged.observe(event));
  return [...outputs, ...judged.finish()];
}

function violationsOf(events: readonly HistoryEvent[]): Extract<Violation, { workload: string }>[] {
  return judge(events).flatMap((output) => output.violations) as Extract<Violation, { workload: string }>[];
}

describe('register workload', () => {
  describe('checker', () => {
    it('passes untouched keys holding their initial value, and emits one output per cycle-end even without violations', () => {
      const outputs = judge(history().read().cycleEnd(1).read({}, 2).cycleEnd(2).events);
      expect(outputs.map((output) => [output.check, output.cycle, output.violations.length])).to.deep.equal([
        ['register', 1, 0],
        ['register', 2, 0],
      ]);
      expect(outputs[0]!.stats).to.include({ keysRead: KEYS, scopesRead: 1 });
    });

    it('passes the last acknowledged value, and either of two overlapping acknowledged writes', () => {
      const h = history().write(0, 0, 1, 'acknowledged').write(0, 1, 1, 'acknowledged');
      h.begin(1, 0, 2).begin(2, 0, 2).end(2, 0, 'acknowledged').end(1, 0, 'acknowledged');
      h.begin(1, 1, 3).begin(2, 1, 3).end(1, 1, 'acknowledged').end(2, 1, 'acknowledged');
      expect(violationsOf(h.read({ 1: ['p0n1', '0'], 2: ['p1n0', '0'], 3: ['p1n1', '0'] }).cycleEnd().events)).to.deep.equal([]);
      expect(violationsOf(h.read({ 1: ['p0n1', '0'], 2: ['p2n0', '0'], 3: ['p2n1', '0'] }, 2).cycleEnd(2).events)).to.deep.equal([]);
    });

    it('passes the value of an indeterminate write, answered or still in flight when the writers stopped, even over a later acknowledged one', () => {
      const h = history().write(0, 0, 1, 'indeterminate').write(0, 1, 1, 'acknowledged').begin(1, 0, 2).writersStopped();
      expect(violationsOf(h.read({ 1: ['p0n0', '0'], 2: ['p1n0', '0'] }).cycleEnd().events)).to.deep.equal([]);
    });

    it('reports a lost update: the value of an acknowledged write another acknowledged write began after', () => {
      const h = history().write(0, 0, 4, 'acknowledged').write(1, 0, 4, 'acknowledged');
      const [found] = violationsOf(h.read({ 4: ['p0n0', '0'] }).cycleEnd().events);
      expect(found).to.include({ kind: 'lost-update', table: TABLE, partition: null, workload: 'register' });
      expect(found!.keys).to.deep.equal([4]);
      expect(found!.requestIds).to.deep.equal([h.requestId(0, 0), h.requestId(1, 0)]);
    });

    it('reports a lost update when a key holds its initial value after an acknowledged write, but not after a failed or indeterminate one', () => {
      expect(violationsOf(history().write(0, 0, 2, 'acknowledged').read().cycleEnd().events).map((found) => [found.kind, found.keys])).to.deep.equal([['lost-update', [2]]]);
      expect(violationsOf(history().write(0, 0, 2, 'failed').write(0, 1, 2, 'indeterminate').read().cycleEnd().events)).to.deep.equal([]);
    });

    it('reports an unknown value: a failed write, a tag never sent, a tag sent to another key', () => {
      const h = history().write(0, 0, 1, 'failed').write(0, 1, 2, 'acknowledged');
      const found = violationsOf(h.read({ 1: ['p0n0', '0'], 3: ['p9n9', '0'], 4: ['p0n1', '0'], 5: ['garbage', '0'] }).cycleEnd().events);
      expect(found.filter((violation) => violation.kind === 'unknown-value').map((violation) => violation.keys[0])).to.deep.equal([1, 3, 4, 5]);
      // Key 2 holds init though p0n1 was acknowledged there.
      expect(found.filter((violation) => violation.kind === 'lost-update').map((violation) => violation.keys[0])).to.deep.equal([2]);
    });

    it('holds each counter between acknowledged and acknowledged + indeterminate increments; a failed increment never counts', () => {
      const h = history().write(0, 0, 1, 'acknowledged', 'increment').write(0, 1, 1, 'acknowledged', 'increment').write(0, 2, 1, 'indeterminate', 'increment').write(0, 3, 1, 'failed', 'increment');
      const at = (n: string) => violationsOf([...h.events, ...history().read({ 1: ['p0n2', n] }).cycleEnd().events]);
      expect(at('2')).to.deep.equal([]);
      expect(at('3')).to.deep.equal([]);
      expect(at('1').map((found) => found.kind)).to.deep.equal(['counter-mismatch']);
      expect(at('4').map((found) => found.kind)).to.deep.equal(['counter-mismatch']);
      expect(at('4')[0]!.detail).to.contain('twice');
    });

    it('counts an increment still unanswered when the writers stopped as indeterminate', () => {
      const h = history().write(0, 0, 1, 'acknowledged', 'increment').begin(1, 0, 1, 'increment').writersStopped();
      expect(violationsOf([...h.events, ...history().read({ 1: ['p1n0', '2'] }).cycleEnd().events])).to.deep.equal([]);
      expect(violationsOf([...h.events, ...history().read({ 1: ['p1n0', '3'] }).cycleEnd().events]).map((found) => found.kind)).to.deep.equal(['counter-mismatch']);
    });

    it('reports a missing key as a lost update, and a key read twice or never inserted as an unknown value', () => {
      const found = violationsOf(history().read({}, 1, [['3', 'init', '0'], ['99', 'init', '0']], [6]).cycleEnd().events);
      expect(found.map((violation) => [violation.kind, violation.keys])).to.have.deep.members([
        ['lost-update', [6]],
        ['unknown-value', [3]],
        ['unknown-value', [99]],
      ]);
    });

    it('reports an acknowledged UPDATE that changed no row of an existing key, and lets its increment count either way', () => {
      const h = history().begin(0, 0, 7, 'increment').end(0, 0, 'acknowledged', 0);
      const found = violationsOf([...h.events, ...history().read({ 7: ['init', '0'] }).cycleEnd().events]);
      expect(found.map((violation) => [violation.kind, violation.keys, violation.requestIds])).to.deep.equal([['lost-update', [7], [h.requestId(0, 0)]]]);
      expect(violationsOf([...h.events, ...history().read({ 7: ['p0n0', '1'] }).cycleEnd().events]).map((violation) => violation.kind)).to.deep.equal(['lost-update']);
      const stats = judge([...h.events, { type: 'cycle-end', cycle: 1 }])[0]!.stats;
      expect(stats).to.include({ acknowledgedNoRow: 1, writes: 1 });
    });

    it('judges a scope read twice in a cycle by its last read, and only reads whose purpose is check', () => {
      const h = history().write(0, 0, 1, 'acknowledged').read({}).read({ 1: ['p0n0', '0'] });
      h.events.push({ type: 'read-back', cycle: 1, incarnation: 1, purpose: 'damaged', table: TABLE, partition: null, workload: 'register', columns: ['id', 'v', 'n'], rows: [] });
      expect(violationsOf(h.cycleEnd().events)).to.deep.equal([]);
    });

    it('reports a scope it could not read as unreadable', () => {
      const events: HistoryEvent[] = [{ type: 'read-back', cycle: 1, incarnation: 1, purpose: 'check', ...SCOPE, workload: 'register', error: 'connection refused' }, { type: 'cycle-end', cycle: 1 }];
      expect(violationsOf(events)).to.deep.equal([{ kind: 'unreadable', ...SCOPE, error: 'connection refused' }]);
    });

    it('ignores requests and read-backs of other workloads', () => {
      const events: HistoryEvent[] = [
        { type: 'request', cycle: 1, requestId: 1, writer: 0, table: 'chaos.user_rows', partition: 'alice', ids: [1, 2] },
        { type: 'response', cycle: 1, requestId: 1, outcome: 'acknowledged', latencyMs: 1 },
        { type: 'read-back', cycle: 1, incarnation: 1, purpose: 'check', table: 'chaos.user_rows', partition: 'alice', ids: [] },
        { type: 'cycle-end', cycle: 1 },
      ];
      expect(judge(events)).to.deep.equal([{ check: 'register', cycle: 1, violations: [], stats: { writes: 0, acknowledged: 0, failed: 0, indeterminate: 0, acknowledgedNoRow: 0, keysRead: 0, scopesRead: 0 } }]);
    });

    it('is a pure fold: the same events give the same outputs', () => {
      const h = history().write(0, 0, 4, 'acknowledged').write(1, 0, 4, 'acknowledged').read({ 4: ['p0n0', '0'] }).cycleEnd();
      expect(judge(h.events)).to.deep.equal(judge(h.events));
    });
  });

  describe('generator', () => {
    const scopes = [SCOPE, { table: 'chaos.user_registers', partition: 'alice' }];
    const sqlOf = (seed: number, count: number) => {
      const sequence = writeSequence(0, seededRandom(seed).fork('register').fork('process-0'), scopes);
      return Array.from({ length: count }, () => sequence.next().sql);
    };

    it('gives the same SQL for the same seed and other SQL for another', () => {
      expect(sqlOf(3, 50)).to.deep.equal(sqlOf(3, 50));
      expect(sqlOf(3, 50)).to.not.deep.equal(sqlOf(4, 50));
    });

    it('writes a unique, parseable tag per write, to keys 1..8, in both forms', () => {
      const sequence = writeSequence(2, seededRandom(1), scopes);
      const planned = Array.from({ length: 200 }, () => sequence.next());
      const tags = planned.map((write) => write.op.value!);
      expect(new Set(tags).size).to.equal(200);
      expect(tags.map((tag) => parseTag(tag))).to.deep.include({ process: 2, n: 199 });
      expect(planned.every((write) => write.op.keys!.length === 1 && write.op.keys![0]! >= 1 && write.op.keys![0]! <= KEYS)).to.equal(true);
      expect(new Set(planned.map((write) => write.op.f))).to.deep.equal(new Set(['update', 'increment']));
      const increment = planned.find((write) => write.op.f === 'increment')!;
      expect(increment.sql).to.match(new RegExp(`^UPDATE ${increment.table} SET n = n \\+ 1, v = '${increment.op.value}' WHERE id = ${increment.op.keys![0]}$`));
      expect(planned.some((write) => write.partition === 'alice')).to.equal(true);
    });

    it('creates both tables and inserts the initial rows into every scope, as the user for a USER table', () => {
      const statements = schemaStatements('chaos', scopes);
      expect(statements[0]).to.match(/^CREATE TABLE chaos\.registers \(id BIGINT PRIMARY KEY, v TEXT, n BIGINT\) WITH \(TYPE = 'SHARED'\)$/);
      expect(statements[1]).to.contain("TYPE = 'USER'");
      expect(statements[2]).to.equal(`INSERT INTO chaos.registers (id, v, n) VALUES ${Array.from({ length: KEYS }, (_, i) => `(${i + 1}, 'init', 0)`).join(', ')}`);
      expect(statements[3]).to.match(/^EXECUTE AS USER 'alice' \(INSERT INTO chaos\.user_registers /);
    });
  });
});
