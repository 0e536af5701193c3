import { gunzipSync } from 'node:zlib';

/**
 * What kalamdb-server sends on /v1/ws, parsed. Its rows carry BIGINT and `_seq` as decimal strings,
 * but `batch_control.last_seq_id` is a bare JSON number beyond 2^53, so every integer literal of
 * 16 digits or more is read as its decimal string before JSON.parse can round it.
 */
export type LiveMessageKind = 'auth_success' | 'auth_error' | 'subscription_ack' | 'initial_data_batch' | 'change' | 'error' | 'other';

export interface BatchControl {
  readonly batchNum: number;
  readonly hasMore: boolean;
  readonly status: string;
  /** A decimal string, or undefined when the server sent null. */
  readonly lastSeq: string | undefined;
}

export interface LiveMessage {
  readonly kind: LiveMessageKind;
  readonly body: Record<string, unknown>;
  /** Arrived as a gzip-compressed binary frame. */
  readonly binary: boolean;
  /** Bytes on the wire. */
  readonly bytes: number;
}

const LONG_INTEGER = /([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g;
const KINDS = new Set<string>(['auth_success', 'auth_error', 'subscription_ack', 'initial_data_batch', 'change', 'error']);

export class LiveProtocolError extends Error {
  override name = 'LiveProtocolError';
}

export function parseLiveFrame(data: Buffer, binary: boolean): LiveMessage {
  let text: string;
  try {
    text = binary ? gunzipSync(data).toString('utf8') : data.toString('utf8');
  } catch (error) {
    throw new LiveProtocolError(`a binary frame of ${data.length} bytes is not gzip: ${(error as Error).message}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text.replace(LONG_INTEGER, '$1"$2"'));
  } catch {
    throw new LiveProtocolError(`a ${binary ? 'binary' : 'text'} frame is not JSON: ${text.slice(0, 200)}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new LiveProtocolError(`a frame is not a JSON object: ${text.slice(0, 200)}`);
  const record = body as Record<string, unknown>;
  const type = typeof record.type === 'string' ? record.type : '';
  return { kind: KINDS.has(type) ? (type as LiveMessageKind) : 'other', body: record, binary, bytes: data.length };
}

export function batchControlOf(message: LiveMessage): BatchControl | undefined {
  const control = message.body.batch_control;
  if (typeof control !== 'object' || control === null) return undefined;
  const { batch_num, has_more, status, last_seq_id } = control as Record<string, unknown>;
  return {
    batchNum: typeof batch_num === 'number' ? batch_num : -1,
    hasMore: has_more === true,
    status: typeof status === 'string' ? status : '',
    lastSeq: last_seq_id === null || last_seq_id === undefined ? undefined : String(last_seq_id as string | number),
  };
}

export type LiveRowValues = Readonly<Record<string, unknown>>;

/** `rows` (insert, update, initial data) or `old_values` (update, delete) of a message. */
export function rowsOf(message: LiveMessage, field: 'rows' | 'old_values'): LiveRowValues[] {
  const rows = message.body[field];
  return Array.isArray(rows) ? rows.filter((row): row is LiveRowValues => typeof row === 'object' && row !== null) : [];
}

/** Compares two `_seq` decimal strings. */
export function compareSeq(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function maxSeq(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareSeq(a, b) >= 0 ? a : b;
}
