import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { Auth } from '../auth.js';
import { SqlError } from '../errors.js';
import type { Executor } from '../executor.js';
import { parseBatch, SqlSyntaxError } from '../sql/parser.js';
import type { StoredRow } from '../state.js';
import { tableColumns } from '../table-schema.js';
import { liveRow, type LiveHub, type LiveSubscription } from './live-hub.js';

/**
 * /v1/ws as kalamdb-server 0.4.3-rc.4 answers it (measured, findings/live-queries.md): auth within
 * 3 s, the client keeps the connection alive (silent for 10 s, checked every 5 s: closed), text
 * frames only, 1 MiB per frame, 10 subscriptions per user, gzip binary frames above 512 bytes.
 */
export interface LiveEndpointOptions {
  readonly auth: Auth;
  readonly executor: Executor;
  readonly hub: LiveHub;
  readonly log: Logger;
  readonly roleOf: (user: string) => string;
  /** resume-skips-first-change. */
  readonly skipFirstAfterResume: boolean;
}

const AUTH_TIMEOUT_MS = 3_000;
const CLIENT_TIMEOUT_MS = 10_000;
const HEARTBEAT_CHECK_MS = 5_000;
const MAX_MESSAGE_BYTES = 1024 * 1024;
const COMPRESSION_THRESHOLD = 512;
const MAX_SUBSCRIPTIONS_PER_USER = 10;
const DEFAULT_BATCH_SIZE = 1000;

interface Connection {
  readonly id: string;
  readonly socket: WebSocket;
  user: string | undefined;
  lastActivity: number;
  readonly subscriptions: Map<string, LiveSubscription & { rows: StoredRow[]; sent: number; batchSize: number }>;
}

export function attachLiveEndpoint(server: Server, options: LiveEndpointOptions): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * MAX_MESSAGE_BYTES, perMessageDeflate: false });
  const connections = new Set<Connection>();

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((request.url ?? '').split('?')[0] !== '/v1/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws));
  });

  const heartbeat = setInterval(() => {
    const now = Date.now();
    for (const connection of connections) {
      if (now - connection.lastActivity > CLIENT_TIMEOUT_MS) connection.socket.close(1000, 'Heartbeat timeout');
    }
  }, HEARTBEAT_CHECK_MS);
  heartbeat.unref();

  function accept(socket: WebSocket): void {
    const connection: Connection = { id: randomBytes(16).toString('hex'), socket, user: undefined, lastActivity: Date.now(), subscriptions: new Map() };
    connections.add(connection);
    const authTimer = setTimeout(() => {
      if (connection.user) return;
      send(connection, { type: 'auth_error', message: 'Authentication timeout - no auth message received within 3 seconds' });
      socket.close(1008, 'Authentication timeout');
    }, AUTH_TIMEOUT_MS);
    const touch = () => (connection.lastActivity = Date.now());
    socket.on('ping', touch);
    socket.on('pong', touch);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(authTimer);
      connections.delete(connection);
      for (const subscription of connection.subscriptions.values()) options.hub.remove(subscription.record.liveId);
    });
    socket.on('message', (data, isBinary) => {
      touch();
      const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      // The binary drops the connection without a close frame (the client sees 1006).
      if (buffer.length > MAX_MESSAGE_BYTES) return socket.terminate();
      if (isBinary) return send(connection, { type: 'error', subscription_id: 'protocol', code: 'UNSUPPORTED_DATA', message: 'Binary not supported' });
      handle(connection, buffer.toString('utf8')).catch((error: unknown) => {
        options.log.error({ err: error, connection: connection.id }, 'live message failed');
        socket.close(1011, 'Internal error');
      });
    });
  }

  async function handle(connection: Connection, text: string): Promise<void> {
    let message: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
      message = parsed as Record<string, unknown>;
    } catch {
      connection.socket.close(1011, 'Invalid message: expected value');
      return;
    }
    switch (message.type) {
      case 'authenticate':
        return authenticate(connection, message);
      case 'subscribe':
        if (!connection.user) return send(connection, { type: 'error', subscription_id: 'subscribe', code: 'AUTH_REQUIRED', message: 'Authentication required before subscribing' });
        return subscribe(connection, message.subscription);
      case 'next_batch':
        return nextBatch(connection, String(message.subscription_id), message.last_seq_id);
      case 'unsubscribe': {
        const subscription = connection.subscriptions.get(String(message.subscription_id));
        if (!subscription) return;
        connection.subscriptions.delete(subscription.record.subscriptionId);
        options.hub.remove(subscription.record.liveId);
        return;
      }
      case 'ping':
        return;
      default:
        connection.socket.close(1011, `Invalid message: unknown variant \`${String(message.type)}\``);
    }
  }

  async function authenticate(connection: Connection, message: Record<string, unknown>): Promise<void> {
    if (typeof message.protocol !== 'object' || message.protocol === null) {
      connection.socket.close(1011, 'Invalid message: missing field `protocol`');
      return;
    }
    const user = typeof message.token === 'string' ? await options.auth.authenticate(`Bearer ${message.token}`) : undefined;
    if (!user) {
      send(connection, { type: 'auth_error', message: 'Invalid or expired token' });
      connection.socket.close(1008, 'Authentication failed');
      return;
    }
    connection.user = user;
    send(connection, { type: 'auth_success', user, role: options.roleOf(user), protocol: { serialization: 'json', compression: 'gzip' } });
  }

  function subscribe(connection: Connection, request: unknown): void {
    const { id, sql, options: subscribeOptions } = (request ?? {}) as { id?: unknown; sql?: unknown; options?: Record<string, unknown> };
    const subscriptionId = typeof id === 'string' ? id : '';
    const fail = (code: string, text: string) => send(connection, { type: 'error', subscription_id: subscriptionId, code, message: text });
    const user = connection.user!;
    let statement;
    try {
      const statements = parseBatch(typeof sql === 'string' ? sql : '', []);
      statement = statements[0];
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      return fail('INVALID_SQL', `Invalid SQL: ${error.message}`);
    }
    if (statement?.kind !== 'select' || !statement.from) return fail('INVALID_SQL', 'Invalid SQL: Invalid SQL: only SELECT ... FROM a table can be subscribed to');
    if (statement.items.some((item) => item.kind === 'column' && (item.name === '_seq' || item.name === '_deleted'))) {
      return fail('INVALID_SQL', "Invalid SQL: Invalid SQL: Subscription query cannot project system columns '_seq' or '_deleted'.");
    }
    const namespace = statement.from.namespace ?? 'default';
    let view;
    try {
      view = options.executor.liveView(namespace, statement.from.name, user);
    } catch (error) {
      if (error instanceof SqlError) return fail('SUBSCRIPTION_FAILED', error.message);
      throw error;
    }
    if (view.definition.type === 'shared') {
      return fail('UNAUTHORIZED', `Permission denied: Cannot subscribe to shared table '${namespace}:${statement.from.name}': access level 'private' requires elevated privileges.`);
    }
    if (options.hub.countOf(user) >= MAX_SUBSCRIPTIONS_PER_USER) return fail('SUBSCRIPTION_LIMIT_EXCEEDED', 'Maximum subscriptions reached');
    const star = statement.items.some((item) => item.kind === 'star');
    const columns = star ? view.definition.columns.map((column) => column.name) : statement.items.flatMap((item) => (item.kind === 'column' ? [item.name] : []));
    const cursor = subscribeOptions?.from_seq_id ?? subscribeOptions?.from;
    if (typeof cursor === 'string') {
      connection.socket.close(1011, `Invalid message: invalid type: string ${JSON.stringify(cursor)}, expected i64`);
      return;
    }
    const fromSeq = seqOption(cursor);
    let rows = fromSeq === undefined ? view.rows : view.rows.filter((row) => row.seq > fromSeq);
    let skipNext = false;
    if (fromSeq !== undefined && options.skipFirstAfterResume) {
      const first = rows.reduce<StoredRow | undefined>((lowest, row) => (!lowest || row.seq < lowest.seq ? row : lowest), undefined);
      if (first) rows = rows.filter((row) => row !== first);
      else skipNext = true;
    }
    const batchSize = typeof subscribeOptions?.batch_size === 'number' && subscribeOptions.batch_size > 0 ? Math.floor(subscribeOptions.batch_size) : DEFAULT_BATCH_SIZE;
    const now = Date.now();
    const subscription = {
      record: {
        liveId: `${user}-${connection.id}-${subscriptionId}`,
        connectionId: connection.id,
        subscriptionId,
        namespace,
        table: statement.from.name,
        userId: user,
        query: String(sql),
        options: JSON.stringify(subscribeOptions ?? {}),
        createdAt: now,
        lastUpdate: now,
        changes: 0,
        lastPingAt: now,
      },
      definition: view.definition,
      columns,
      partition: view.definition.type === 'user' ? user : '',
      pending: [] as Record<string, unknown>[] | undefined,
      skipNext,
      send: (message: Record<string, unknown>) => send(connection, message),
      rows,
      sent: 0,
      batchSize,
    };
    connection.subscriptions.set(subscriptionId, subscription);
    options.hub.add(subscription);
    const schema = tableColumns(view.definition)
      .filter((column) => star || columns.includes(column.name) || column.name === '_seq')
      .filter((column) => star || column.name !== '_deleted')
      .map((column, index) => ({ name: column.name, data_type: column.data_type, index, ...(column.flags ? { flags: column.flags } : {}) }));
    const first = batchOf(subscription, 0);
    send(connection, { type: 'subscription_ack', subscription_id: subscriptionId, total_rows: 0, batch_control: first.control, schema });
    sendBatch(subscription, 0, first);
  }

  function batchOf(subscription: LiveSubscription & { rows: StoredRow[]; batchSize: number }, offset: number) {
    const page = subscription.rows.slice(offset, offset + subscription.batchSize);
    return { page, hasMore: offset + page.length < subscription.rows.length, control: control(offset / subscription.batchSize, offset + page.length < subscription.rows.length, page) };
  }

  function control(batchNum: number, hasMore: boolean, page: readonly StoredRow[]) {
    const status = !hasMore ? 'ready' : batchNum === 0 ? 'loading' : 'loading_batch';
    return { batch_num: batchNum, has_more: hasMore, status, last_seq_id: page.length > 0 ? page[page.length - 1]!.seq : null };
  }

  function sendBatch(subscription: LiveSubscription & { rows: StoredRow[]; sent: number; batchSize: number }, batchNum: number, batch: { page: StoredRow[]; hasMore: boolean }): void {
    const withDeleted = subscription.columns.length === subscription.definition.columns.length;
    subscription.send({
      type: 'initial_data_batch',
      subscription_id: subscription.record.subscriptionId,
      rows: batch.page.map((row) => liveRow(subscription, row, withDeleted ? false : undefined)),
      batch_control: control(batchNum, batch.hasMore, batch.page),
    });
    subscription.sent += batch.page.length;
    if (!batch.hasMore) {
      const pending = subscription.pending ?? [];
      subscription.pending = undefined;
      for (const message of pending) subscription.send(message);
    }
  }

  function nextBatch(connection: Connection, subscriptionId: string, lastSeq: unknown): void {
    const subscription = connection.subscriptions.get(subscriptionId);
    if (!subscription) return send(connection, { type: 'error', subscription_id: subscriptionId, code: 'BATCH_FETCH_FAILED', message: `Not found: Subscription not found: ${subscriptionId}` });
    const batchNum = Math.ceil(subscription.sent / subscription.batchSize);
    // The binary answers a null cursor with the first batch again.
    const offset = lastSeq === null || lastSeq === undefined ? 0 : subscription.sent;
    const batch = batchOf(subscription, offset);
    sendBatch(subscription, batchNum, batch);
  }

  function send(connection: Connection, message: Record<string, unknown>): void {
    if (connection.socket.readyState !== WebSocket.OPEN) return;
    const text = JSON.stringify(message);
    if (Buffer.byteLength(text) > COMPRESSION_THRESHOLD) connection.socket.send(gzipSync(text), { binary: true });
    else connection.socket.send(text);
  }

  return {
    close() {
      clearInterval(heartbeat);
      for (const connection of connections) connection.socket.terminate();
      wss.close();
    },
  };
}

function seqOption(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return undefined;
}
