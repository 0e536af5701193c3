import { expect } from 'chai';
import type { RunStart } from '../../src/run/seams.js';
import type { HistoryEvent, LiveRowRecord, RequestOutcome } from '../../src/vocabulary/events.js';
import type { CoverageGap, Violation } from '../../src/vocabulary/violations.js';
import { subscribersChecker } from '../../src/workload/subscribers/check.js';

const RUN: RunStart = { event: { type: 'run-start', scenario: 'live-subscribers', seed: 1, options: {}, target: {} }, parameters: { workload: { namespace: 'chaos' } } as never };
const TABLE = 'chaos.live_rows';
/** `_seq` values beyond 2^53, as the binary sends them. */
const SEQ = (n: number) => (386845727841423360n + BigInt(n)).toString();

/** A hand-built subscribers history for user alice: writes, their answers and what her connections received, in order. */
function history() {
  const events: HistoryEvent[] = [];
  let next = 0;
  const h = {
    events,
    write(cycle: number, f: 'insert' | 'update' | 'delete', key: number, tag = `r${next + 1}`): number {
      const requestId = ++next;
      events.push({ type: 'request', cycle, requestId, writer: 0, table: TABLE, partition: 'alice', ids: [], op: { workload: 'subscribers', f, keys: [key], ...(f === 'delete' ? {} : { value: tag }) } });
      return requestId;
    },
    answer(cycle: number, requestId: number, outcome: RequestOutcome = 'acknowledged') {
      events.push({ type: 'response', cycle, requestId, outcome, latencyMs: 1 });
      return h;
    },
    acked(cycle: number, f: 'insert' | 'update' | 'delete', key: number, tag?: string) {
      return h.answer(cycle, h.write(cycle, f, key, tag));
    },
    subscribe(cycle: number, connection: number, initial: LiveRowRecord[], select: LiveRowRecord[] = initial, fromSeq?: string) {
      const base = { cycle, subscriber: 'alice', connection };
      events.push({ type: 'live-connect', ...base, incarnation: cycle, ...(fromSeq ? { fromSeq } : {}) });
      events.push({ type: 'live-message', ...base, kind: 'initial_data_batch', rows: initial, batch: 0, hasMore: false, binary: false, bytes: 100 });
      events.push({ type: 'live-ready', ...base, ...(fromSeq ? { fromSeq } : {}), initialRows: initial.length, select });
      return h;
    },
    change(cycle: number, connection: number, change: 'insert' | 'update' | 'delete', row: LiveRowRecord) {
      const rows = change === 'delete' ? { old: [row] } : { rows: [row] };
      events.push({ type: 'live-message', cycle, subscriber: 'alice', connection, kind: 'change', change, ...rows, binary: false, bytes: 100 });
      return h;
    },
    kill(cycle: number, connection: number, entries: { liveId: string; connectionId: string }[] = []) {
      events.push({ type: 'writers-stopped', cycle, acknowledged: 0, failed: 0, indeterminate: 0 });
      events.push({ type: 'live-close', cycle, subscriber: 'alice', connection, code: 1006, reason: '' });
      events.push({ type: 'live-entries', cycle, incarnation: cycle + 1, entries: entries.map((entry) => ({ ...entry, user: 'alice', subscription: 'sub' })) });
      return h;
    },
    push(event: HistoryEvent) {
      events.push(event);
      return h;
    },
  };
  return h;
}

function judge(events: readonly HistoryEvent[]): { violations: Violation[]; gaps: CoverageGap[] } {
  const judged = subscribersChecker.judge(RUN);
  const outputs = [...events.flatMap((event) => judged.observe(event)), ...judged.finish()];
  return { violations: outputs.flatMap((output) => output.violations), gaps: outputs.flatMap((output) => output.gaps ?? []) };
}

const detailOf = (violation: Violation): string => ('detail' in violation ? String(violation.detail) : '');
const kinds = (events: readonly HistoryEvent[]) => judge(events).violations.map((violation) => violation.kind);

/** Connection 1 sees an insert, an update and a delete of key 1; the server is killed; connection 2 resumes after the last `_seq`. */
function cleanHistory() {
  return history()
    .subscribe(1, 1, [])
    .acked(1, 'insert', 1, 'r1')
    .change(1, 1, 'insert', [1, SEQ(1), 'r1'])
    .acked(1, 'insert', 2, 'r2')
    .change(1, 1, 'insert', [2, SEQ(2), 'r2'])
    .acked(1, 'update', 1, 'r3')
    .change(1, 1, 'update', [1, SEQ(3), 'r3'])
    .acked(1, 'delete', 2)
    .change(1, 1, 'delete', [2, SEQ(4), 'r2'])
    .kill(1, 1)
    .subscribe(2, 2, [], [[1, SEQ(3), 'r3']], SEQ(4))
    .acked(2, 'insert', 3, 'r9')
    .change(2, 2, 'insert', [3, SEQ(5), 'r9']);
}

describe('live-subscribers checker', () => {
  it('passes a history where every acknowledged change arrives once, in order, and the resume starts after the cursor', () => {
    const { violations, gaps } = judge(cleanHistory().events);
    expect(violations).to.deep.equal([]);
    expect(gaps).to.deep.equal([]);
  });

  it('reports an acknowledged change that never reached the subscribed connection as missed-change', () => {
    const h = history().subscribe(1, 1, []).acked(1, 'insert', 1, 'r1').change(1, 1, 'insert', [1, SEQ(1), 'r1']).acked(1, 'update', 1, 'r2');
    const { violations } = judge(h.events);
    expect(violations.map((violation) => violation.kind)).to.deep.equal(['missed-change']);
    expect(violations[0]).to.deep.include({ table: TABLE, partition: 'alice', keys: [1], requestIds: [2] });
  });

  it('reports an acknowledged delete missing from a connection the kill closed as missed-change: a resume cannot deliver a delete', () => {
    const h = history().subscribe(1, 1, []).acked(1, 'insert', 1, 'r1').change(1, 1, 'insert', [1, SEQ(1), 'r1']).acked(1, 'delete', 1).kill(1, 1).subscribe(2, 2, [], [], SEQ(1));
    expect(kinds(h.events)).to.deep.equal(['missed-change']);
  });

  it('accepts an insert the kill cut off from its connection when the resumed connection gets it as initial data', () => {
    const row: LiveRowRecord = [2, SEQ(2), 'r2'];
    const h = history().subscribe(1, 1, []).acked(1, 'insert', 1, 'r1').change(1, 1, 'insert', [1, SEQ(1), 'r1']).acked(1, 'insert', 2, 'r2').kill(1, 1).subscribe(2, 2, [row], [row], SEQ(1));
    expect(kinds(h.events)).to.deep.equal([]);
  });

  it('reports a change no write made as phantom-change', () => {
    const h = cleanHistory().change(2, 2, 'insert', [7, SEQ(6), 'never-written']);
    expect(kinds(h.events)).to.deep.equal(['phantom-change']);
  });

  it('reports a change whose write failed as phantom-change', () => {
    const h = cleanHistory();
    h.answer(2, h.write(2, 'insert', 7, 'r-failed'), 'failed').change(2, 2, 'insert', [7, SEQ(6), 'r-failed']);
    expect(kinds(h.events)).to.deep.equal(['phantom-change']);
  });

  it('accepts an in-flight write (indeterminate at the kill) that arrives', () => {
    const h = history().subscribe(1, 1, []).acked(1, 'insert', 1, 'r1').change(1, 1, 'insert', [1, SEQ(1), 'r1']);
    h.write(1, 'insert', 2, 'r-inflight');
    h.change(1, 1, 'insert', [2, SEQ(2), 'r-inflight']).kill(1, 1);
    expect(kinds(h.events)).to.deep.equal([]);
  });

  it('reports a `_seq` delivered twice to one subscriber as duplicate-change', () => {
    const row: LiveRowRecord = [1, SEQ(1), 'r1'];
    const h = history().acked(1, 'insert', 1, 'r1').subscribe(1, 1, [row]).change(1, 1, 'insert', row);
    const { violations } = judge(h.events);
    expect(violations.map((violation) => violation.kind)).to.deep.equal(['duplicate-change']);
    expect(violations[0]).to.deep.include({ keys: [1] });
  });

  it('reports changes arriving out of `_seq` order as out-of-order-change', () => {
    const h = history()
      .subscribe(1, 1, [])
      .acked(1, 'insert', 1, 'r1')
      .acked(1, 'insert', 2, 'r2')
      .change(1, 1, 'insert', [2, SEQ(2), 'r2'])
      .change(1, 1, 'insert', [1, SEQ(1), 'r1']);
    const { violations } = judge(h.events);
    expect(violations.map((violation) => violation.kind)).to.deep.equal(['out-of-order-change']);
    expect(violations[0]).to.deep.include({ keys: [1] });
  });

  it('orders `_seq` as integers beyond 2^53, not as text or doubles', () => {
    // 9007199254740993 and 9007199254740992 are the same double; as text "10..." < "9...".
    const h = history()
      .subscribe(1, 1, [])
      .acked(1, 'insert', 1, 'r1')
      .acked(1, 'insert', 2, 'r2')
      .acked(1, 'insert', 3, 'r3')
      .change(1, 1, 'insert', [1, '9007199254740992', 'r1'])
      .change(1, 1, 'insert', [2, '9007199254740993', 'r2'])
      .change(1, 1, 'insert', [3, '10000000000000000', 'r3']);
    expect(kinds(h.events)).to.deep.equal([]);
  });

  it('reports initial data that differs from the SELECT as initial-data-mismatch', () => {
    const h = history()
      .acked(1, 'insert', 1, 'r1')
      .acked(1, 'insert', 2, 'r2')
      .subscribe(1, 1, [[1, SEQ(1), 'r1']], [[1, SEQ(1), 'r1'], [2, SEQ(2), 'r2']])
      .acked(1, 'insert', 3, 'r3')
      .change(1, 1, 'insert', [3, SEQ(3), 'r3']);
    const { violations } = judge(h.events);
    expect(violations.map((violation) => violation.kind)).to.deep.equal(['initial-data-mismatch']);
    expect(detailOf(violations[0]!)).to.contain(`2|${SEQ(2)}|r2`);
  });

  it('compares a resume\u2019s initial data with the SELECT rows above its cursor only', () => {
    const h = history()
      .acked(1, 'insert', 1, 'r1')
      .acked(1, 'insert', 2, 'r2')
      .subscribe(1, 1, [[2, SEQ(2), 'r2']], [[1, SEQ(1), 'r1'], [2, SEQ(2), 'r2']], SEQ(1))
      .acked(1, 'insert', 3, 'r3')
      .change(1, 1, 'insert', [3, SEQ(3), 'r3']);
    expect(kinds(h.events)).to.deep.equal([]);
  });

  it('reports a system.live entry left after a restart as stale-live-entry', () => {
    const h = cleanHistory();
    h.events.splice(h.events.findIndex((event) => event.type === 'live-entries'), 1);
    h.push({ type: 'live-entries', cycle: 1, incarnation: 2, entries: [{ liveId: 'alice-c1-s1', connectionId: 'c1', user: 'alice', subscription: 's1' }] });
    const { violations } = judge(h.events);
    expect(violations.map((violation) => violation.kind)).to.deep.equal(['stale-live-entry']);
    expect(detailOf(violations[0]!)).to.contain('alice-c1-s1');
  });

  it('calls a history with no delivered change a coverage gap, not a pass', () => {
    const h = history().acked(1, 'insert', 1, 'r1').subscribe(1, 1, [[1, SEQ(1), 'r1']]).kill(1, 1);
    const { violations, gaps } = judge(h.events);
    expect(violations).to.deep.equal([]);
    expect(gaps.map((gap) => gap.kind)).to.deep.equal(['no-live-change']);
  });

  it('reports a subscriber that could not reconnect as subscribe-failed', () => {
    const h = cleanHistory().push({ type: 'live-failed', cycle: 2, subscriber: 'alice', connection: 3, error: 'connect ECONNREFUSED 127.0.0.1:1' });
    expect(kinds(h.events)).to.deep.equal(['subscribe-failed']);
  });

  it('ignores a reconnect that failed in the cycle an interrupt cut short (the tool stopped the server)', () => {
    const h = cleanHistory()
      .push({ type: 'cycle-end', cycle: 2 })
      .push({ type: 'live-failed', cycle: 3, subscriber: 'alice', connection: 3, error: 'connect ECONNREFUSED 127.0.0.1:1' })
      .push({ type: 'interrupted', cycle: 2, signal: 'SIGTERM' });
    expect(kinds(h.events)).to.deep.equal([]);
  });

  it('still reports a failed reconnect of a cycle completed before the interrupt as subscribe-failed', () => {
    const h = cleanHistory()
      .push({ type: 'live-failed', cycle: 2, subscriber: 'alice', connection: 3, error: 'subscription refused' })
      .push({ type: 'cycle-end', cycle: 2 })
      .push({ type: 'interrupted', cycle: 2, signal: 'SIGINT' });
    const { violations } = judge(h.events);
    expect(violations.map((violation) => violation.kind)).to.deep.equal(['subscribe-failed']);
    expect(detailOf(violations[0]!)).to.contain('subscription refused');
  });
  it('ignores a subscribe our kill cut off before the restart, and reports one that fails after it', () => {
    const killed = { type: 'kill', cycle: 2, incarnation: 2, signal: 'SIGKILL', acksThisCycle: 0, inFlight: 0 } as const;
    const cutOff = cleanHistory().push(killed).push({ type: 'live-failed', cycle: 2, subscriber: 'alice', connection: 3, error: 'other side closed' });
    expect(kinds(cutOff.events)).to.deep.equal([]);
    const afterRestart = cleanHistory()
      .push(killed)
      .push({ type: 'restart', cycle: 2, incarnation: 3, readyMs: 10 })
      .push({ type: 'live-failed', cycle: 2, subscriber: 'alice', connection: 3, error: 'subscription refused' });
    expect(kinds(afterRestart.events)).to.deep.equal(['subscribe-failed']);
  });
});
