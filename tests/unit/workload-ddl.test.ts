import { expect } from 'chai';
import type { RunStart } from '../../src/run/seams.js';
import type { Cell, HistoryEvent, RequestOutcome } from '../../src/vocabulary/events.js';
import type { Violation } from '../../src/vocabulary/violations.js';
import { ddlChecker } from '../../src/workload/ddl/check.js';
import { createDdlPlanner } from '../../src/workload/ddl/plan.js';
import { DDL_READ_BACK_COLUMNS } from '../../src/workload/ddl/read-back.js';
import { passwordsIn, redact } from '../../src/workload/ddl/redact.js';

const RUN: RunStart = { event: { type: 'run-start', scenario: 's', seed: 1, options: {}, target: {} }, parameters: { workload: { namespace: 'chaos' } } as never };

/** A hand-built history: DDL requests with outcomes, read-backs, cycle ends. */
function history() {
  const events: HistoryEvent[] = [];
  let requestId = 0;
  return {
    events,
    ddl(cycle: number, f: string, value: string, outcome: RequestOutcome | 'none') {
      const id = ++requestId;
      events.push({ type: 'request', cycle, requestId: id, writer: 0, table: 'chaos_ddl', partition: null, ids: [], op: { workload: 'ddl', f, value } });
      if (outcome !== 'none') events.push({ type: 'response', cycle, requestId: id, outcome, latencyMs: 1 });
      return this;
    },
    crash(cycle: number) {
      events.push({ type: 'writers-stopped', cycle, acknowledged: 0, failed: 0, indeterminate: 0 });
      return this;
    },
    readBack(cycle: number, tables: Record<string, string | { catalog: string; selected: string | null; error?: string }>, users: string[] = []) {
      const rows: Cell[][] = Object.entries(tables).map(([name, columns]) =>
        typeof columns === 'string' ? ['table', name, columns, columns, null] : ['table', name, columns.catalog, columns.selected, columns.error ?? null],
      );
      for (const user of users) rows.push(['user', user, null, null, null]);
      events.push({ type: 'read-back', cycle, incarnation: cycle, purpose: 'check', table: 'chaos_ddl', partition: null, workload: 'ddl', columns: [...DDL_READ_BACK_COLUMNS], rows });
      events.push({ type: 'cycle-end', cycle });
      return this;
    },
  };
}

function violationsOf(events: readonly HistoryEvent[]): Violation[] {
  const judge = ddlChecker.judge(RUN);
  const outputs = [...events.flatMap((event) => judge.observe(event)), ...judge.finish()];
  return outputs.flatMap((output) => output.violations);
}

const kinds = (violations: readonly Violation[]) => violations.map((violation) => [violation.kind, 'detail' in violation ? violation.detail : ''] as const);

describe('ddl workload checker', () => {
  it('passes a correct history: acknowledged objects there, drops gone, failures without effect', () => {
    const h = history()
      .ddl(1, 'create-table', 't1', 'acknowledged')
      .ddl(1, 'alter-table', 't1.c1', 'acknowledged')
      .ddl(1, 'create-table', 't2', 'acknowledged')
      .ddl(1, 'drop-table', 't2', 'acknowledged')
      .ddl(1, 'create-table', 't3', 'failed')
      .ddl(1, 'create-user', 'chaos_ddl_u1', 'acknowledged')
      .ddl(1, 'create-user', 'chaos_ddl_u2', 'acknowledged')
      .ddl(1, 'drop-user', 'chaos_ddl_u2', 'acknowledged')
      .crash(1)
      .readBack(1, { t1: 'id,payload,c1' }, ['chaos_ddl_u1']);
    expect(violationsOf(h.events)).to.deep.equal([]);
  });

  it('emits one output per cycle, violations or not', () => {
    const judge = ddlChecker.judge(RUN);
    const outputs = history().ddl(1, 'create-table', 't1', 'acknowledged').crash(1).readBack(1, { t1: 'id,payload' }).events.flatMap((event) => judge.observe(event));
    expect(outputs.map((output) => [output.check, output.cycle, output.violations.length])).to.deep.equal([['ddl', 1, 0]]);
    expect(outputs[0]!.stats).to.include({ ddlAcknowledged: 1, objectsChecked: 1 });
  });

  it('reports an acknowledged table, column or user that is gone as ddl-lost', () => {
    const h = history()
      .ddl(1, 'create-table', 't1', 'acknowledged')
      .ddl(1, 'create-table', 't2', 'acknowledged')
      .ddl(1, 'alter-table', 't2.c1', 'acknowledged')
      .ddl(1, 'create-user', 'chaos_ddl_u1', 'acknowledged')
      .crash(1)
      .readBack(1, { t2: 'id,payload' });
    const found = violationsOf(h.events);
    expect(found.map((violation) => violation.kind)).to.deep.equal(['ddl-lost', 'ddl-lost', 'ddl-lost']);
    expect(kinds(found).map(([, detail]) => detail)).to.deep.equal([
      'acknowledged table t1 is gone after the restart',
      'acknowledged column t2.c1 is gone after the restart',
      'acknowledged user chaos_ddl_u1 is gone after the restart',
    ]);
    expect(found[0]).to.deep.include({ workload: 'ddl', table: 'chaos_ddl', partition: null, keys: [1], requestIds: [1] });
  });

  it('reports a dropped table or user that is back as ddl-lost', () => {
    const h = history()
      .ddl(1, 'create-table', 't1', 'acknowledged')
      .ddl(1, 'drop-table', 't1', 'acknowledged')
      .ddl(1, 'create-user', 'chaos_ddl_u1', 'acknowledged')
      .ddl(1, 'drop-user', 'chaos_ddl_u1', 'acknowledged')
      .crash(1)
      .readBack(1, { t1: 'id,payload' }, ['chaos_ddl_u1']);
    expect(kinds(violationsOf(h.events))).to.deep.equal([
      ['ddl-lost', 'table t1 is back though its drop was acknowledged'],
      ['ddl-lost', 'user chaos_ddl_u1 is back though its drop was acknowledged'],
    ]);
  });

  it('reports what failed DDL or no DDL made as ddl-phantom', () => {
    const h = history()
      .ddl(1, 'create-table', 't1', 'acknowledged')
      .ddl(1, 'alter-table', 't1.c1', 'failed')
      .ddl(1, 'create-table', 't2', 'failed')
      .crash(1)
      .readBack(1, { t1: 'id,payload,c1,c9', t2: 'id,payload', t7: 'id,payload' }, ['chaos_ddl_u5']);
    expect(kinds(violationsOf(h.events)).map(([kind, detail]) => `${kind}: ${detail}`)).to.have.members([
      'ddl-phantom: column t1.c1 exists though the DDL that would make it failed',
      'ddl-phantom: column t1.c9 exists though no DDL of the workload made it',
      'ddl-phantom: table t2 exists though the DDL that would make it failed',
      'ddl-phantom: table t7 exists though no DDL of the workload made it',
      'ddl-phantom: user chaos_ddl_u5 exists though no DDL of the workload made it',
    ]);
  });

  it('reports a half-made table: listed but unreadable, catalog and SELECT disagreeing, or without its created columns', () => {
    const h = history()
      .ddl(1, 'create-table', 't1', 'acknowledged')
      .ddl(1, 'create-table', 't2', 'acknowledged')
      .ddl(1, 'create-table', 't3', 'indeterminate')
      .crash(1)
      .readBack(1, { t1: { catalog: 'id,payload', selected: null, error: 'not found' }, t2: { catalog: 'id,payload,c1', selected: 'id,payload' }, t3: 'id' });
    const found = violationsOf(h.events);
    expect(found.map((violation) => violation.kind)).to.deep.equal(['ddl-phantom', 'ddl-phantom', 'ddl-phantom', 'ddl-phantom']);
    expect(kinds(found).map(([, detail]) => detail)).to.include('table t1 is listed in system.tables but a SELECT of it fails: not found');
    expect(kinds(found).map(([, detail]) => detail)).to.include('table t3 lacks column(s) payload of its CREATE TABLE');
  });

  it('lets an indeterminate DDL go either way, then holds the server to what it showed', () => {
    const done = history().ddl(1, 'create-table', 't1', 'acknowledged').ddl(1, 'alter-table', 't1.c1', 'none').crash(1).readBack(1, { t1: 'id,payload,c1' });
    expect(violationsOf(done.events)).to.deep.equal([]);
    const notDone = history().ddl(1, 'create-table', 't1', 'acknowledged').ddl(1, 'alter-table', 't1.c1', 'indeterminate').crash(1).readBack(1, { t1: 'id,payload' });
    expect(violationsOf(notDone.events)).to.deep.equal([]);
    const undone = history()
      .ddl(1, 'create-user', 'chaos_ddl_u1', 'none')
      .crash(1)
      .readBack(1, {}, ['chaos_ddl_u1'])
      .crash(2)
      .readBack(2, {});
    expect(kinds(violationsOf(undone.events))).to.deep.equal([['ddl-lost', 'acknowledged user chaos_ddl_u1 is gone after the restart']]);
  });

  it('treats an acknowledged ALTER as proof its indeterminately created table exists', () => {
    const h = history().ddl(1, 'create-table', 't1', 'indeterminate').crash(1).ddl(2, 'alter-table', 't1.c1', 'acknowledged').crash(2).readBack(2, {});
    expect(violationsOf(h.events).map((violation) => violation.kind)).to.deep.equal(['ddl-lost']);
  });

  it('ignores read-backs of damaged data and of other workloads', () => {
    const h = history().ddl(1, 'create-table', 't1', 'acknowledged').crash(1);
    h.events.push({ type: 'read-back', cycle: 1, incarnation: 1, purpose: 'damaged', table: 'chaos_ddl', partition: null, workload: 'ddl', columns: [...DDL_READ_BACK_COLUMNS], rows: [] });
    h.events.push({ type: 'read-back', cycle: 1, incarnation: 1, purpose: 'check', table: 'chaos.t', partition: null, ids: [] });
    h.events.push({ type: 'cycle-end', cycle: 1 });
    expect(violationsOf(h.events)).to.deep.equal([]);
  });
});

describe('ddl workload generator', () => {
  const sqlOf = (seed: number) => {
    const planner = createDdlPlanner('chaos_ddl', seed);
    return Array.from({ length: 200 }, () => planner.next());
  };

  it('gives the same statements and pauses for the same seed, other ones for another', () => {
    expect(sqlOf(7)).to.deep.equal(sqlOf(7));
    expect(sqlOf(7).map((planned) => planned.sql)).to.not.deep.equal(sqlOf(8).map((planned) => planned.sql));
  });

  it('never reuses a name and only alters or drops what it created and has not dropped', () => {
    const planned = sqlOf(3);
    const made = planned.filter((op) => op.f === 'create-table' || op.f === 'create-user' || op.f === 'alter-table').map((op) => op.value);
    expect(new Set(made).size).to.equal(made.length);
    const live = new Set<string>();
    for (const op of planned) {
      if (op.f === 'create-table' || op.f === 'create-user') live.add(op.value);
      if (op.f === 'alter-table') expect(live.has(op.value.split('.')[0]!), op.sql).to.equal(true);
      if (op.f === 'drop-table' || op.f === 'drop-user') expect(live.delete(op.value), op.sql).to.equal(true);
    }
    expect(new Set(planned.map((op) => op.f))).to.have.all.keys('create-table', 'alter-table', 'drop-table', 'create-user', 'drop-user');
    expect(planned.every((op) => op.pauseMs >= 0 && op.pauseMs <= 100)).to.equal(true);
  });

  it('keeps passwords out of the operation record, and can redact them from answers', () => {
    const user = sqlOf(3).find((op) => op.f === 'create-user')!;
    const [password] = passwordsIn(user.sql);
    expect(password).to.be.a('string').and.have.length.above(5);
    expect(JSON.stringify({ f: user.f, value: user.value })).to.not.include(password);
    expect(redact(`syntax error near '${password}'`, [password!])).to.equal("syntax error near '***'");
  });
});
