import { request } from 'undici';
import { batchControlOf, maxSeq, rowsOf, type LiveMessage, type LiveRowValues } from '../../client/live-messages.js';
import { openLiveConnection, type LiveConnection } from '../../client/subscriber.js';
import type { CampaignContext } from '../../run/seams.js';
import type { LiveRowRecord } from '../../vocabulary/events.js';

/** Small enough that a resume with several rows after its cursor pages with next_batch. */
export const LIVE_BATCH_SIZE = 20;

/**
 * One subscriber per user, kept across cycles: connected (or reconnected after a kill, with
 * from_seq_id = the highest `_seq` it has seen) before that user's writer sends anything.
 */
export interface SubscriberPool {
  /** Resolves when `user`'s subscriber is subscribed and its initial data is in; never rejects. */
  ensure(ctx: CampaignContext, cycle: number, user: string): Promise<void>;
}

interface SubscriberState {
  connection: LiveConnection | undefined;
  count: number;
  lastSeq: string | undefined;
  cycle: number;
}

export function createSubscriberPool(table: string, password: string): SubscriberPool {
  const states = new Map<string, SubscriberState>();
  const pending = new Map<string, Promise<void>>();

  async function connect(ctx: CampaignContext, cycle: number, user: string, state: SubscriberState): Promise<void> {
    const connection = ++state.count;
    state.cycle = cycle;
    const fromSeq = state.lastSeq;
    try {
      const baseUrl = ctx.client().baseUrl;
      const token = await loginToken(baseUrl, user, password);
      const live = await openLiveConnection({
        baseUrl,
        label: `${user}#${connection}`,
        onMessage: (message) => {
          state.lastSeq = maxSeq(state.lastSeq, highestSeq(message));
          ctx.record(messageEvent(state.cycle, user, connection, message));
        },
      });
      void live.closed.then((close) => {
        if (state.connection === live) state.connection = undefined;
        ctx.record({ type: 'live-close', cycle: state.cycle, subscriber: user, connection, code: close.code, reason: close.reason });
      });
      await live.authenticate(token);
      state.connection = live;
      ctx.record({ type: 'live-connect', cycle, subscriber: user, connection, incarnation: ctx.incarnation(), ...(fromSeq ? { fromSeq } : {}) });
      const initial = await live.subscribe({ id: 'rows', sql: `SELECT * FROM ${table}`, batchSize: LIVE_BATCH_SIZE, ...(fromSeq ? { fromSeq } : {}) });
      const select = await ctx.client().query(`SELECT id, payload, _seq FROM ${table} LIMIT 100000`, { asUser: user });
      ctx.record({
        type: 'live-ready',
        cycle,
        subscriber: user,
        connection,
        ...(fromSeq ? { fromSeq } : {}),
        initialRows: initial.rows.length,
        select: (select.rows ?? []).map((row) => [Number(row[0]), String(row[2]), typeof row[1] === 'string' ? row[1] : null] as const),
      });
    } catch (error) {
      ctx.record({ type: 'live-failed', cycle, subscriber: user, connection, error: (error as Error).message });
      await state.connection?.close();
      state.connection = undefined;
    }
  }

  return {
    ensure(ctx, cycle, user) {
      const state = states.get(user) ?? { connection: undefined, count: 0, lastSeq: undefined, cycle };
      states.set(user, state);
      state.cycle = cycle;
      if (state.connection?.isOpen()) return Promise.resolve();
      let running = pending.get(user);
      if (!running) {
        running = connect(ctx, cycle, user, state).finally(() => pending.delete(user));
        pending.set(user, running);
      }
      return running;
    },
  };
}

async function loginToken(baseUrl: string, user: string, password: string): Promise<string> {
  const response = await request(`${baseUrl}/v1/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
  const body = (await response.body.json().catch(() => undefined)) as { access_token?: unknown } | undefined;
  if (response.statusCode !== 200 || typeof body?.access_token !== 'string') throw new Error(`login as ${user} for a live query failed on ${baseUrl}: HTTP ${response.statusCode}`);
  return body.access_token;
}

function rowRecord(row: LiveRowValues): LiveRowRecord {
  const payload = row.payload;
  return [Number(row.id), String(row._seq as string), typeof payload === 'string' ? payload : null];
}

function highestSeq(message: LiveMessage): string | undefined {
  let seq: string | undefined;
  for (const row of [...rowsOf(message, 'rows'), ...(message.kind === 'change' && message.body.change_type === 'delete' ? rowsOf(message, 'old_values') : [])]) {
    if (typeof row._seq === 'string') seq = maxSeq(seq, row._seq);
  }
  return seq;
}

function messageEvent(cycle: number, subscriber: string, connection: number, message: LiveMessage) {
  const { body } = message;
  const control = batchControlOf(message);
  const rows = rowsOf(message, 'rows');
  const old = rowsOf(message, 'old_values');
  return {
    type: 'live-message' as const,
    cycle,
    subscriber,
    connection,
    kind: message.kind,
    ...(typeof body.subscription_id === 'string' ? { subscription: body.subscription_id } : {}),
    ...(typeof body.change_type === 'string' ? { change: body.change_type } : {}),
    ...(rows.length > 0 ? { rows: rows.map(rowRecord) } : {}),
    ...(old.length > 0 ? { old: old.map(rowRecord) } : {}),
    ...(control ? { batch: control.batchNum, hasMore: control.hasMore } : {}),
    ...(typeof body.code === 'string' ? { code: body.code } : {}),
    ...(typeof body.message === 'string' ? { message: body.message.slice(0, 300) } : {}),
    binary: message.binary,
    bytes: message.bytes,
  };
}
