import { expect } from 'chai';
import { join } from 'node:path';
import type { JudgeOutput, RunStart } from '../../src/run/seams.js';
import { waitFor } from '../../src/util/wait.js';
import type { HistoryEvent, RequestOutcome } from '../../src/vocabulary/events.js';
import type { Violation } from '../../src/vocabulary/violations.js';
import { deleteChecker } from '../../src/workload/delete/check.js';
import { createDeleteGenerator } from '../../src/workload/delete/generator.js';
import { idsOf, useReferenceServers, type RunningServer } from '../support/reference-server.js';
import { useTempDir } from '../support/temp.js';

const TABLE = 'chaos.deletable';

/** A hand-built history of the delete workload in one scope (the SHARED table). */
function history() {
  const events: HistoryEvent[] = [];
  let cycle = 1;
  const api = {
    events,
    cycle(next: number) {
      cycle = next;
      return api;
    },
    request(requestId: number, f: 'insert' | 'delete', keys: number[]) {
      events.push({ type: 'request', cycle, requestId, writer: 0, table: TABLE, partition: null, ids: [], op: { workload: 'delete', f, keys } });
      return api;
    },
    response(requestId: number, outcome: RequestOutcome, rowCount?: number) {
      events.push({ type: 'response', cycle, requestId, outcome, latencyMs: 1, ...(rowCount === undefined ? {} : { rowCount }) });
      return api;
    },
    /** A request and its answer; a DELETE acknowledged deletes its one row. */
    op(requestId: number, f: 'insert' | 'delete', keys: number[], outcome: RequestOutcome = 'acknowledged') {
      return api.request(requestId, f, keys).response(requestId, outcome, outcome === 'acknowledged' ? keys.length : undefined);
    },
    writersStopped() {
      events.push({ type: 'writers-stopped', cycle, acknowledged: 0, failed: 0, indeterminate: 0 });
      return api;
    },
    readBack(ids: number[], tombstones: number[] = [], extra: Partial<Extract<HistoryEvent, { type: 'read-back' }>> = {}) {
      events.push({ type: 'read-back', cycle, incarnation: cycle, purpose: 'check', table: TABLE, partition: null, workload: 'delete', ids, countStar: ids.length, tombstones, ...extra });
      return api;
    },
    cycleEnd() {
      events.push({ type: 'cycle-end', cycle });
      return api;
    },
  };
  return api;
}

function judge(events: readonly HistoryEvent[]): JudgeOutput[] {
  const judged = deleteChecker.judge({} as RunStart);
  return [...events.flatMap((event) => judged.observe(event)), ...judged.finish()];
}

function violations(events: readonly HistoryEvent[]): Violation[] {
  return judge(events).flatMap((output) => output.violations);
}

const kinds = (found: readonly Violation[]) => found.map((violation) => violation.kind);

describe('delete workload checker', () => {
  it('passes a correct history and answers one output per cycle, read back or not', () => {
    const { events } = history().op(1, 'insert', [1, 2, 3]).op(2, 'delete', [2]).writersStopped().readBack([1, 3], [2]).cycleEnd().cycle(2).writersStopped().cycleEnd();
    const outputs = judge(events);
    expect(outputs.map((output) => [output.check, output.cycle, output.violations.length])).to.deep.equal([
      ['delete', 1, 0],
      ['delete', 2, 0],
    ]);
    expect(outputs[0]!.stats).to.include({ scopesRead: 1, keysVisible: 2, keysExpectedLive: 2, tombstonesRead: 1, insertsAcknowledged: 1, deletesAcknowledged: 1 });
  });

  it('a deleted key that comes back, after any number of cycles, is resurrected, naming the DELETE', () => {
    const { events } = history().op(1, 'insert', [1, 2]).op(2, 'delete', [2]).writersStopped().readBack([1]).cycleEnd().cycle(2).writersStopped().readBack([1, 2]).cycleEnd();
    const found = violations(events);
    expect(found).to.have.length(1);
    expect(found[0]).to.deep.include({ kind: 'resurrected', workload: 'delete', table: TABLE, partition: null, keys: [2], requestIds: [2] });
  });

  it('a key with an indeterminate or unanswered DELETE may be either way', () => {
    for (const ids of [[1], [1, 2, 3]]) {
      const { events } = history().op(1, 'insert', [1, 2, 3]).op(2, 'delete', [2], 'indeterminate').request(3, 'delete', [3]).writersStopped().readBack(ids).cycleEnd();
      expect(violations(events), `read back ${ids.join(',')}`).to.deep.equal([]);
    }
  });

  it('a key with an indeterminate INSERT may be either way; one never inserted, or only by a failed INSERT, is a phantom', () => {
    const base = () => history().op(1, 'insert', [1, 2], 'indeterminate').op(2, 'insert', [3], 'failed').request(4, 'insert', [4]).writersStopped();
    expect(violations(base().readBack([1]).cycleEnd().events)).to.deep.equal([]);
    expect(violations(base().readBack([2, 4]).cycleEnd().events)).to.deep.equal([]);
    const found = violations(base().readBack([1, 3, 99]).cycleEnd().events);
    expect(kinds(found)).to.deep.equal(['phantom-read']);
    expect(found[0]).to.deep.include({ keys: [3, 99], requestIds: [2] });
  });

  it('a failed DELETE changes nothing: its key must still be there, and not as a tombstone', () => {
    const base = () => history().op(1, 'insert', [1]).op(2, 'delete', [1], 'failed').writersStopped();
    expect(violations(base().readBack([1]).cycleEnd().events)).to.deep.equal([]);
    const missing = violations(base().readBack([]).cycleEnd().events);
    expect(kinds(missing)).to.deep.equal(['tombstone-mismatch']);
    expect(missing[0]).to.deep.include({ keys: [1], requestIds: [1] });
    expect((missing[0] as { detail: string }).detail).to.match(/missing without a delete/);
    const tombstone = violations(base().readBack([], [1]).cycleEnd().events);
    expect(tombstone.map((violation) => (violation as { detail: string }).detail)).to.satisfy((details: string[]) => details.some((detail) => /tombstone .*though no DELETE/.test(detail)));
  });

  it('an acknowledged key no DELETE touched that is missing or visible twice is a tombstone-mismatch', () => {
    const found = violations(history().op(1, 'insert', [1, 2, 3]).writersStopped().readBack([2, 2, 3]).cycleEnd().events);
    expect(found.map((violation) => [violation.kind, 'keys' in violation ? violation.keys : []])).to.deep.equal([
      ['tombstone-mismatch', [2]],
      ['tombstone-mismatch', [1]],
    ]);
  });

  it('a key both visible and a tombstone, or a tombstone of a key never deleted, is a tombstone-mismatch', () => {
    const found = violations(history().op(1, 'insert', [1, 2]).writersStopped().readBack([1, 2], [1, 7]).cycleEnd().events);
    expect(kinds(found)).to.deep.equal(['tombstone-mismatch', 'tombstone-mismatch']);
    expect(found.map((violation) => ('keys' in violation ? violation.keys : []))).to.deep.equal([[1], [7]]);
  });

  it('a tombstone of a deleted key is fine, and so is none (a flush may compact it away)', () => {
    for (const tombstones of [[2], []]) {
      expect(violations(history().op(1, 'insert', [1, 2]).op(2, 'delete', [2]).writersStopped().readBack([1], tombstones).cycleEnd().events)).to.deep.equal([]);
    }
  });

  it('an acknowledged DELETE of an acknowledged, undeleted key that found no row is a tombstone-mismatch', () => {
    const found = violations(history().op(1, 'insert', [5]).request(2, 'delete', [5]).response(2, 'acknowledged', 0).writersStopped().cycleEnd().events);
    expect(found).to.have.length(1);
    expect(found[0]).to.deep.include({ kind: 'tombstone-mismatch', keys: [5], requestIds: [2] });
  });

  it('an unreadable scope and a COUNT(*) that disagrees are reported', () => {
    const unreadable = violations(history().op(1, 'insert', [1]).writersStopped().readBack([], [], { ids: undefined, error: 'boom' }).cycleEnd().events);
    expect(unreadable).to.deep.equal([{ kind: 'unreadable', table: TABLE, partition: null, error: 'boom' }]);
    const counted = violations(history().op(1, 'insert', [1]).writersStopped().readBack([1], [], { countStar: 2 }).cycleEnd().events);
    expect(counted).to.deep.equal([{ kind: 'count-mismatch', table: TABLE, partition: null, countStar: 2, distinctIds: 1, rowsRead: 1 }]);
  });

  it('ignores damaged read-backs, other workloads, and judges a scope read twice in a cycle by its last read', () => {
    const { events } = history().op(1, 'insert', [1]).writersStopped().readBack([], [], { purpose: 'damaged' }).readBack([], [], { workload: 'append' }).readBack([]).readBack([1]).cycleEnd();
    events.push({ type: 'request', cycle: 1, requestId: 9, writer: 0, table: TABLE, partition: null, ids: [42] });
    expect(violations(events)).to.deep.equal([]);
  });

  it('keeps scopes apart: a key of one partition seen in another is a phantom there', () => {
    const events: HistoryEvent[] = [
      { type: 'request', cycle: 1, requestId: 1, writer: 0, table: 'chaos.user_deletable', partition: 'alice', ids: [], op: { workload: 'delete', f: 'insert', keys: [1] } },
      { type: 'response', cycle: 1, requestId: 1, outcome: 'acknowledged', latencyMs: 1, rowCount: 1 },
      { type: 'read-back', cycle: 1, incarnation: 1, purpose: 'check', table: 'chaos.user_deletable', partition: 'alice', workload: 'delete', ids: [1], countStar: 1 },
      { type: 'read-back', cycle: 1, incarnation: 1, purpose: 'check', table: 'chaos.user_deletable', partition: 'bob', workload: 'delete', ids: [1], countStar: 1 },
      { type: 'cycle-end', cycle: 1 },
    ];
    const found = violations(events);
    expect(found.map((violation) => [violation.kind, 'partition' in violation ? violation.partition : undefined])).to.deep.equal([['phantom-read', 'bob']]);
  });
});

describe('delete workload generator', () => {
  const scopes = [
    { table: TABLE, partition: null },
    { table: 'chaos.user_deletable', partition: 'alice' },
    { table: 'chaos.user_deletable', partition: 'bob' },
  ];
  /** Plans `count` operations round-robin over two processes, answering every one with `answer`. */
  function plan(seed: number, count: number, answer: (index: number) => RequestOutcome = () => 'acknowledged') {
    const generator = createDeleteGenerator({ seed, scopes, processes: 2, rowsPerInsert: { min: 1, max: 4 }, payload: (key) => `p${key}` });
    return Array.from({ length: count }, (_, index) => {
      const planned = generator.next(index % 2);
      generator.settled(index % 2, planned, { settled: answer(index) });
      return planned;
    });
  }

  it('gives the same SQL for the same seed and answers, other SQL for another seed', () => {
    const sql = (seed: number) => plan(seed, 200).map((planned) => `${planned.partition ?? ''} ${typeof planned.sql === 'string' ? planned.sql : planned.sql('r0')}`);
    expect(sql(7)).to.deep.equal(sql(7));
    expect(sql(7)).to.not.deep.equal(sql(8));
  });

  it('inserts fresh keys only and deletes only acknowledged, undeleted keys of the same scope, about one delete per two inserts', () => {
    const outcomes: RequestOutcome[] = ['acknowledged', 'acknowledged', 'failed', 'indeterminate'];
    const operations = plan(3, 3000, (index) => outcomes[index % outcomes.length]!);
    const inserted = new Set<number>();
    const acknowledged = new Map<number, string>();
    const deleted = new Set<number>();
    let inserts = 0;
    let deletes = 0;
    operations.forEach((planned, index) => {
      const scope = `${planned.table}/${planned.partition}`;
      const outcome = outcomes[index % outcomes.length];
      for (const key of planned.op.keys ?? []) {
        if (planned.op.f === 'insert') {
          expect(inserted.has(key), `key ${key} inserted twice`).to.equal(false);
          inserted.add(key);
          if (outcome === 'acknowledged') acknowledged.set(key, scope);
        } else {
          expect(acknowledged.get(key), `key ${key} deleted without an acknowledged insert in ${scope}`).to.equal(scope);
          expect(deleted.has(key), `key ${key} deleted again after a DELETE that did not fail`).to.equal(false);
          expect(planned.sql).to.equal(`DELETE FROM ${planned.table} WHERE id = ${key}`);
          if (outcome !== 'failed') deleted.add(key);
        }
      }
      if (planned.op.f === 'insert') inserts++;
      else deletes++;
    });
    expect(deletes / inserts).to.be.within(0.35, 0.65);
  });

  it('a probe inserts one fresh key no process uses', () => {
    const generator = createDeleteGenerator({ seed: 1, scopes, processes: 2, rowsPerInsert: { min: 1, max: 1 }, payload: (key) => `p${key}` });
    const keys = [generator.next(0), generator.next(1), generator.probe(scopes[1]!), generator.probe(scopes[1]!)].map((planned) => planned.op.keys);
    expect(keys).to.deep.equal([[1], [2], [3], [6]]);
  });
});

describe('reference server tombstones across flushes', function () {
  this.timeout(30_000);
  const tempDir = useTempDir('kalam-delete-test-');
  const servers = useReferenceServers();

  async function flush(server: RunningServer): Promise<void> {
    const message = (await server.query(`STORAGE FLUSH TABLE ${TABLE}`)).message ?? '';
    const jobId = message.slice(message.indexOf('FL-'));
    await waitFor(async () => ((await server.query(`SELECT status FROM system.jobs WHERE job_id = '${jobId}'`)).rows?.[0]?.[0] === 'completed' ? true : undefined), {
      what: `flush job ${jobId}`,
      timeoutMs: 10_000,
      intervalMs: 10,
    });
  }

  /** Inserts 1..3, flushes, deletes 2, inserts 4, flushes again, restarts: what is visible, and what WHERE _deleted = true says. */
  async function deleteAcrossFlushes(extraArgs: string[]) {
    const dataDir = join(tempDir(), extraArgs.join('-') || 'correct');
    const first = await servers.start({ dataDir, extraArgs });
    await first.query(`CREATE NAMESPACE IF NOT EXISTS chaos; CREATE TABLE ${TABLE} (id BIGINT PRIMARY KEY, payload TEXT NOT NULL) WITH (TYPE = 'SHARED')`);
    await first.query(`INSERT INTO ${TABLE} (id, payload) VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    await flush(first);
    expect((await first.query(`DELETE FROM ${TABLE} WHERE id = 2`)).row_count).to.equal(1);
    const hotTombstones = idsOf(await first.query(`SELECT id FROM ${TABLE} WHERE _deleted = true`));
    await first.query(`INSERT INTO ${TABLE} (id, payload) VALUES (4, 'd')`);
    await flush(first);
    const afterFlush = idsOf(await first.query(`SELECT id FROM ${TABLE} ORDER BY id`));
    first.kill('SIGKILL');
    await first.waitExit();
    const second = await servers.start({ dataDir, extraArgs });
    const afterRestart = idsOf(await second.query(`SELECT id FROM ${TABLE} ORDER BY id`));
    return { hotTombstones, afterFlush, afterRestart };
  }

  it('the correct server keeps a key deleted after a later flush and a restart; WHERE _deleted = true names the hot tombstone', async () => {
    expect(await deleteAcrossFlushes([])).to.deep.equal({ hotTombstones: [2], afterFlush: [1, 3, 4], afterRestart: [1, 3, 4] });
  });

  it('with flush-drops-tombstone the deleted key comes back from its older segment (as kalamdb-server does)', async () => {
    expect(await deleteAcrossFlushes(['--defect', 'flush-drops-tombstone'])).to.deep.equal({ hotTombstones: [2], afterFlush: [1, 2, 3, 4], afterRestart: [1, 2, 3, 4] });
  });
});
