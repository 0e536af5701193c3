import WebSocket from 'ws';
import { batchControlOf, LiveProtocolError, parseLiveFrame, rowsOf, type LiveMessage, type LiveRowValues } from './live-messages.js';

/**
 * One WebSocket connection to /v1/ws (INTERFACE.md "Live queries over WebSocket", and
 * findings/live-queries.md for what the binary really does): authenticate with a JWT, subscribe,
 * page the initial data with next_batch, keep the connection alive with pings (the server never
 * pings; a client silent for 10 s is closed). Every message the server sends goes to `onMessage`.
 */
export interface LiveConnectionOptions {
  readonly baseUrl: string;
  /** Names the connection in errors ("alice#2 on 127.0.0.1:4312"). */
  readonly label: string;
  readonly onMessage?: (message: LiveMessage) => void;
  /** How often the client pings (default 5000; 0: never, to let the server time it out). */
  readonly pingIntervalMs?: number;
  readonly connectTimeoutMs?: number;
}

export interface LiveClose {
  readonly code: number;
  readonly reason: string;
}

export interface SubscriptionRequest {
  readonly id: string;
  readonly sql: string;
  readonly batchSize?: number;
  readonly lastRows?: number;
  /** Resume after this `_seq` (a decimal string). */
  readonly fromSeq?: string;
}

export interface InitialData {
  readonly ack: LiveMessage;
  readonly rows: LiveRowValues[];
  readonly batches: number;
}

export interface LiveConnection {
  /** Resolves with auth_success; rejects with the auth_error or the close. */
  authenticate(token: string, timeoutMs?: number): Promise<LiveMessage>;
  /** Resolves once every initial batch has arrived (has_more false); rejects on an error message for it. */
  subscribe(request: SubscriptionRequest, timeoutMs?: number): Promise<InitialData>;
  /** The server does not answer it. */
  unsubscribe(id: string): void;
  /** A raw frame, for protocol tests (oversized or binary client frames). */
  send(frame: string | Buffer, options?: { binary?: boolean }): void;
  /** The next message (already received or not) that matches. */
  waitFor(predicate: (message: LiveMessage) => boolean, timeoutMs: number, what: string): Promise<LiveMessage>;
  readonly closed: Promise<LiveClose>;
  isOpen(): boolean;
  /** A normal close (1000); resolves once the socket is closed, or it is terminated after 2 s. */
  close(): Promise<LiveClose>;
}

interface Waiter {
  readonly predicate: (message: LiveMessage) => boolean;
  readonly resolve: (message: LiveMessage) => void;
  readonly reject: (error: Error) => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export function openLiveConnection(options: LiveConnectionOptions): Promise<LiveConnection> {
  const url = `${options.baseUrl.replace(/^http/, 'ws')}/v1/ws`;
  const socket = new WebSocket(url, { handshakeTimeout: options.connectTimeoutMs ?? 5_000, perMessageDeflate: false });
  const received: LiveMessage[] = [];
  const waiters = new Set<Waiter>();
  let closeInfo: LiveClose | undefined;
  let resolveClosed!: (close: LiveClose) => void;
  const closed = new Promise<LiveClose>((resolve) => (resolveClosed = resolve));
  let pinger: NodeJS.Timeout | undefined;

  socket.on('message', (data, isBinary) => {
    let message: LiveMessage;
    try {
      message = parseLiveFrame(toBuffer(data), isBinary);
    } catch (error) {
      for (const waiter of waiters) waiter.reject(new LiveProtocolError(`${options.label}: ${(error as Error).message}`));
      waiters.clear();
      return;
    }
    options.onMessage?.(message);
    received.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(message)) {
        waiters.delete(waiter);
        waiter.resolve(message);
      }
    }
  });
  socket.on('close', (code, reason) => {
    if (pinger) clearInterval(pinger);
    closeInfo = { code, reason: reason.toString('utf8') };
    for (const waiter of waiters) waiter.reject(new LiveProtocolError(`${options.label}: connection closed (${code} ${closeInfo.reason})`));
    waiters.clear();
    resolveClosed(closeInfo);
  });

  function waitFor(predicate: (message: LiveMessage) => boolean, timeoutMs: number, what: string): Promise<LiveMessage> {
    const index = received.findIndex(predicate);
    if (index >= 0) return Promise.resolve(received.splice(index, 1)[0]!);
    if (closeInfo) return Promise.reject(new LiveProtocolError(`${options.label}: connection closed (${closeInfo.code} ${closeInfo.reason}) before ${what}`));
    return new Promise<LiveMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new LiveProtocolError(`${options.label}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          // Consumed: a later wait for the same kind must not see it again.
          received.splice(received.indexOf(message), 1);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      waiters.add(waiter);
    });
  }

  const send = (frame: string | Buffer, sendOptions?: { binary?: boolean }) => {
    if (socket.readyState !== WebSocket.OPEN) throw new LiveProtocolError(`${options.label}: cannot send, the connection is ${closeInfo ? `closed (${closeInfo.code})` : 'not open'}`);
    socket.send(frame, { binary: sendOptions?.binary ?? typeof frame !== 'string' });
  };

  const forSubscription = (id: string, kinds: readonly string[]) => (message: LiveMessage) => kinds.includes(message.kind) && message.body.subscription_id === id;

  async function subscribe(request: SubscriptionRequest, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<InitialData> {
    send(subscribeFrame(request));
    const first = await waitFor(forSubscription(request.id, ['subscription_ack', 'error']), timeoutMs, `subscription_ack of ${request.id}`);
    if (first.kind === 'error') throw new LiveProtocolError(`${options.label}: subscribe ${request.id} refused: ${String(first.body.code)}: ${String(first.body.message)}`);
    const rows: LiveRowValues[] = [];
    let batches = 0;
    for (;;) {
      const batch = await waitFor(forSubscription(request.id, ['initial_data_batch', 'error']), timeoutMs, `initial data batch ${batches} of ${request.id}`);
      if (batch.kind === 'error') throw new LiveProtocolError(`${options.label}: initial data of ${request.id} failed: ${String(batch.body.code)}: ${String(batch.body.message)}`);
      batches++;
      rows.push(...rowsOf(batch, 'rows'));
      const control = batchControlOf(batch);
      if (!control?.hasMore) return { ack: first, rows, batches };
      // The binary repeats the same batch when last_seq_id is null: the cursor is that batch's.
      send(`{"type":"next_batch","subscription_id":${JSON.stringify(request.id)},"last_seq_id":${control.lastSeq ?? 'null'}}`);
    }
  }

  const connection: LiveConnection = {
    async authenticate(token, timeoutMs = DEFAULT_TIMEOUT_MS) {
      // kalamdb-server 0.4.3 closes with 1011 "missing field `protocol`" without it.
      send(JSON.stringify({ type: 'authenticate', method: 'jwt', token, protocol: { serialization: 'json', compression: 'gzip' } }));
      const answer = await waitFor((message) => message.kind === 'auth_success' || message.kind === 'auth_error', timeoutMs, 'an authentication answer');
      if (answer.kind === 'auth_error') throw new LiveProtocolError(`${options.label}: authentication refused: ${String(answer.body.message)}`);
      return answer;
    },
    subscribe,
    unsubscribe: (id) => send(JSON.stringify({ type: 'unsubscribe', subscription_id: id })),
    send,
    waitFor,
    closed,
    isOpen: () => socket.readyState === WebSocket.OPEN,
    async close() {
      if (closeInfo) return closeInfo;
      socket.close(1000);
      const forced = setTimeout(() => socket.terminate(), 2_000);
      const result = await closed;
      clearTimeout(forced);
      return result;
    },
  };

  return new Promise<LiveConnection>((resolve, reject) => {
    const fail = (error: Error) => reject(new LiveProtocolError(`${options.label}: cannot connect to ${url}: ${error.message}`));
    socket.once('error', fail);
    socket.once('open', () => {
      socket.off('error', fail);
      // Errors after the handshake end in a close event, which is what callers watch.
      socket.on('error', () => {});
      const every = options.pingIntervalMs ?? 5_000;
      if (every > 0) {
        pinger = setInterval(() => {
          if (socket.readyState === WebSocket.OPEN) socket.ping();
        }, every);
        pinger.unref();
      }
      resolve(connection);
    });
  });
}

/** `from_seq_id` must be a JSON number (the binary refuses a string), and may exceed 2^53. */
export function subscribeFrame(request: SubscriptionRequest): string {
  const options: string[] = [];
  if (request.batchSize !== undefined) options.push(`"batch_size":${request.batchSize}`);
  if (request.lastRows !== undefined) options.push(`"last_rows":${request.lastRows}`);
  if (request.fromSeq !== undefined) {
    if (!/^\d+$/.test(request.fromSeq)) throw new LiveProtocolError(`from_seq_id must be a decimal integer, not ${request.fromSeq}`);
    options.push(`"from_seq_id":${request.fromSeq}`);
  }
  return `{"type":"subscribe","subscription":{"id":${JSON.stringify(request.id)},"sql":${JSON.stringify(request.sql)},"options":{${options.join(',')}}}}`;
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
