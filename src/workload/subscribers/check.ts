import { compareSeq } from '../../client/live-messages.js';
import type { CampaignContext, CheckerDefinition, Judge, JudgeOutput, RunStart } from '../../run/seams.js';
import type { EventOf, HistoryEvent, LiveRowRecord, RequestOutcome } from '../../vocabulary/events.js';
import type { CoverageGap, WorkloadViolationKind } from '../../vocabulary/violations.js';
import { createViolationList } from '../violation-list.js';

interface Write {
  readonly requestId: number;
  readonly user: string;
  readonly f: string;
  readonly key: number;
  readonly tag: string;
  readonly cycle: number;
  readonly sentAt: number;
  outcome?: RequestOutcome;
  ackedAt?: number;
}

interface Connection {
  readonly user: string;
  readonly index: number;
  readonly cycle: number;
  fromSeq?: string;
  readyAt?: number;
  closedAt?: number;
  initial: LiveRowRecord[];
  select?: LiveRowRecord[];
  /** Changes as they came: kind, row (delete: the tombstone's), position. */
  readonly changes: { readonly change: string; readonly row: LiveRowRecord }[];
}

/**
 * The subscribers invariant, judged at the end of the run from the history alone:
 * - every change and initial row names an acknowledged or in-flight write (phantom-change);
 * - no `_seq` reaches one subscriber twice (duplicate-change); a connection's changes rise in `_seq`;
 * - initial data equals the SELECT taken when it completed, above the resume cursor (initial-data-mismatch);
 * - a write sent while a connection was subscribed and acknowledged before it closed arrives on it;
 *   when the connection died with the server, an insert or update may arrive instead in the next
 *   connection's initial data, or be replaced there by a later write of its key (missed-change);
 * - system.live after a restart lists nothing (every connection died with the server) (stale-live-entry).
 */
export function judgeSubscribers(run: RunStart): Judge {
  const table = `${run.parameters.workload.namespace}.live_rows`;
  const writes = new Map<number, Write>();
  const connections = new Map<string, Connection>();
  const failures: EventOf<'live-failed'>[] = [];
  /** Cycles whose server our kill has stopped and no restart has brought back yet. */
  const killedCycles = new Set<number>();
  const staleEntries: EventOf<'live-entries'>[] = [];
  let position = 0;
  let lastCycle = 0;
  /** The last cycle completed before an interrupt (SIGINT, SIGTERM, a deadline); undefined when none came. */
  let completedBeforeInterrupt: number | undefined;

  const connectionOf = (event: { subscriber: string; connection: number; cycle: number }): Connection => {
    const id = `${event.subscriber}#${event.connection}`;
    let connection = connections.get(id);
    if (!connection) connections.set(id, (connection = { user: event.subscriber, index: event.connection, cycle: event.cycle, initial: [], changes: [] }));
    return connection;
  };

  function observe(event: HistoryEvent): readonly JudgeOutput[] {
    position++;
    if ('cycle' in event && typeof event.cycle === 'number') lastCycle = Math.max(lastCycle, event.cycle);
    switch (event.type) {
      case 'request':
        if (event.op?.workload === 'subscribers' && event.partition && event.op.keys?.[0] !== undefined) {
          writes.set(event.requestId, { requestId: event.requestId, user: event.partition, f: event.op.f, key: event.op.keys[0], tag: event.op.value ?? '', cycle: event.cycle, sentAt: position });
        }
        break;
      case 'response': {
        const write = writes.get(event.requestId);
        if (write) {
          write.outcome = event.outcome;
          if (event.outcome === 'acknowledged') write.ackedAt = position;
        }
        break;
      }
      case 'writers-stopped':
        for (const write of writes.values()) if (write.cycle === event.cycle && write.outcome === undefined) write.outcome = 'indeterminate';
        break;
      case 'live-connect':
        connectionOf(event).fromSeq = event.fromSeq;
        break;
      case 'live-message': {
        const connection = connectionOf(event);
        if (event.kind === 'initial_data_batch') connection.initial.push(...(event.rows ?? []));
        if (event.kind === 'change' && event.change) {
          const rows = event.change === 'delete' ? (event.old ?? []) : (event.rows ?? []);
          for (const row of rows) connection.changes.push({ change: event.change, row });
        }
        break;
      }
      case 'live-ready': {
        const connection = connectionOf(event);
        connection.readyAt = position;
        connection.select = event.select;
        break;
      }
      case 'live-close':
        connectionOf(event).closedAt ??= position;
        break;
      case 'kill':
        killedCycles.add(event.cycle);
        break;
      case 'restart':
      case 'restart-failed':
        killedCycles.delete(event.cycle);
        break;
      case 'live-failed':
        // A connection our own kill cut off, before the restart, is the fault at work, not the server's.
        if (!killedCycles.has(event.cycle)) failures.push(event);
        break;
      case 'live-entries':
        if (event.entries.length > 0) staleEntries.push(event);
        break;
      case 'interrupted':
        completedBeforeInterrupt = event.cycle;
        break;
      default:
        break;
    }
    return [];
  }

  function finish(): JudgeOutput[] {
    const perCycle = new Map<number, ReturnType<typeof createViolationList>>();
    const list = (cycle: number) => {
      let found = perCycle.get(cycle);
      if (!found) perCycle.set(cycle, (found = createViolationList('subscribers')));
      return found;
    };
    const find = (cycle: number, kind: WorkloadViolationKind, user: string, what: string, key?: number, requestId?: number) =>
      list(cycle).rule(kind, { table, partition: user }, what).add(key, requestId);
    const byTag = new Map<string, Write>();
    for (const write of writes.values()) if (write.f !== 'delete') byTag.set(`${write.user}/${write.tag}`, write);
    const deletesOf = (user: string, key: number) => [...writes.values()].filter((write) => write.user === user && write.key === key && write.f === 'delete');
    const allowed = (write: Write | undefined) => write !== undefined && (write.outcome === 'acknowledged' || write.outcome === 'indeterminate');
    const stats = { connections: connections.size, changesDelivered: 0, initialRows: 0, writesRequired: 0 };

    const ordered = [...connections.values()].sort((a, b) => (a.user === b.user ? a.index - b.index : a.user < b.user ? -1 : 1));
    const seen = new Map<string, Set<string>>();
    for (const connection of ordered) {
      const seqs = seen.get(connection.user) ?? new Set<string>();
      seen.set(connection.user, seqs);
      stats.changesDelivered += connection.changes.length;
      stats.initialRows += connection.initial.length;
      const delivered = [...connection.initial.map((row) => ({ change: 'initial', row })), ...connection.changes];
      for (const { change, row } of delivered) {
        const [key, seq, payload] = row;
        if (seqs.has(seq)) find(connection.cycle, 'duplicate-change', connection.user, `_seq ${seq} of key ${key} arrived twice (connection ${connection.index}, ${change})`, key);
        seqs.add(seq);
        if (change === 'delete') {
          if (!deletesOf(connection.user, key).some(allowed)) find(connection.cycle, 'phantom-change', connection.user, `a delete of key ${key} arrived that no acknowledged or in-flight DELETE made`, key);
        } else {
          const write = payload === null ? undefined : byTag.get(`${connection.user}/${payload}`);
          if (!allowed(write) || write!.key !== key) find(connection.cycle, 'phantom-change', connection.user, `key ${key} with payload ${String(payload)} arrived (${change}) but no acknowledged or in-flight write of that key wrote it`, key, write?.requestId);
        }
      }
      for (let i = 1; i < connection.changes.length; i++) {
        if (compareSeq(connection.changes[i - 1]!.row[1], connection.changes[i]!.row[1]) >= 0) {
          find(connection.cycle, 'out-of-order-change', connection.user, `connection ${connection.index}: _seq ${connection.changes[i]!.row[1]} came after ${connection.changes[i - 1]!.row[1]}`, connection.changes[i]!.row[0]);
        }
      }
      if (connection.select) {
        const expected = connection.select.filter((row) => connection.fromSeq === undefined || compareSeq(row[1], connection.fromSeq) > 0).map((row) => row.join('|')).sort();
        const got = connection.initial.map((row) => row.join('|')).sort();
        if (expected.join(',') !== got.join(',')) {
          const missing = expected.filter((row) => !got.includes(row));
          const extra = got.filter((row) => !expected.includes(row));
          find(connection.cycle, 'initial-data-mismatch', connection.user, `connection ${connection.index}${connection.fromSeq ? ` (from_seq_id ${connection.fromSeq})` : ''}: initial data has ${got.length} rows, the SELECT ${expected.length}; missing ${missing.slice(0, 5).join(' ')}; not in the SELECT ${extra.slice(0, 5).join(' ')}`);
        }
      }
    }

    for (const write of writes.values()) {
      if (write.outcome !== 'acknowledged') continue;
      const on = ordered.find((c) => c.user === write.user && c.readyAt !== undefined && c.readyAt < write.sentAt && (c.closedAt === undefined || c.closedAt > write.ackedAt!));
      if (!on) continue;
      stats.writesRequired++;
      const matches = (change: { change: string; row: LiveRowRecord }) =>
        write.f === 'delete' ? change.change === 'delete' && change.row[0] === write.key : change.change !== 'delete' && change.row[0] === write.key && change.row[2] === write.tag;
      if (on.changes.some(matches)) continue;
      const next = ordered.find((c) => c.user === write.user && c.index === on.index + 1);
      const diedWithServer = on.closedAt !== undefined && on.cycle === write.cycle;
      if (diedWithServer && next && write.f !== 'delete') {
        if (next.initial.some((row) => row[0] === write.key && row[2] === write.tag)) continue;
        const later = [...writes.values()].some((other) => other.user === write.user && other.key === write.key && other.sentAt > write.sentAt && allowed(other));
        if (later && !(next.select ?? []).some((row) => row[0] === write.key && row[2] === write.tag)) continue;
      }
      find(write.cycle, 'missed-change', write.user, `acknowledged ${write.f} of key ${write.key} (${write.tag}) sent while connection ${on.index} was subscribed never arrived${write.f === 'delete' ? ' (a resume cannot deliver a delete)' : ''}`, write.key, write.requestId);
    }

    // A reconnect in a cycle the interrupt cut short failed because the tool stopped the server.
    const judgedFailures = failures.filter((failure) => completedBeforeInterrupt === undefined || failure.cycle <= completedBeforeInterrupt);
    for (const failure of judgedFailures) find(failure.cycle, 'subscribe-failed', failure.subscriber, `connection ${failure.connection}: ${failure.error}`);
    for (const entries of staleEntries) {
      for (const entry of entries.entries) find(entries.cycle, 'stale-live-entry', entry.user, `after restart ${entries.incarnation} system.live still lists ${entry.liveId} (connection ${entry.connectionId}), a connection of an incarnation that is gone`);
    }

    const gaps: CoverageGap[] = stats.changesDelivered === 0 ? [{ cycle: 0, kind: 'no-live-change', detail: 'no subscriber received any change notification: the live-query invariant was not tested' }] : [];
    const cycles = new Set([...perCycle.keys(), Math.max(lastCycle, 1)]);
    return [...cycles].sort((a, b) => a - b).map((cycle) => ({
      check: 'subscribers',
      cycle,
      violations: perCycle.get(cycle)?.take() ?? [],
      ...(cycle === Math.max(lastCycle, 1) ? { stats, ...(gaps.length > 0 ? { gaps } : {}) } : {}),
    }));
  }

  return { observe, finish };
}

async function recordLiveEntries(ctx: CampaignContext, cycle: number): Promise<void> {
  try {
    const result = await ctx.client().query('SELECT live_id, connection_id, user_id, subscription_id FROM system.live');
    const entries = (result.rows ?? []).map((row) => ({ liveId: String(row[0]), connectionId: String(row[1]), user: String(row[2]), subscription: String(row[3]) }));
    ctx.record({ type: 'live-entries', cycle, incarnation: ctx.incarnation(), entries });
  } catch (error) {
    ctx.record({ type: 'live-entries', cycle, incarnation: ctx.incarnation(), entries: [], error: (error as Error).message });
  }
}

export const subscribersChecker: CheckerDefinition = {
  name: 'subscribers',
  summary: 'live queries across restarts: every acknowledged change after the cursor arrives once and in order, nothing else arrives, initial data equals a SELECT, system.live forgets dead connections',
  probes: () => ({ 'after-restart': recordLiveEntries }),
  judge: judgeSubscribers,
};
