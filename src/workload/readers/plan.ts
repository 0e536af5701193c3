import { seededRandom, type Random } from '../../util/random.js';

/** Ids of writer w are w * ID_BLOCK + 1, + 2, ...: dense per writer, so a range read covers one writer's recent rows. */
export const ID_BLOCK = 100_000_000;
export const READ_ROWS_TABLE = 'read_rows';
export const READ_LIMIT = 1000;

export function readerId(writer: number, n: number): number {
  return writer * ID_BLOCK + n + 1;
}

/** The writer and position of an id, or undefined for an id no writer makes. */
export function positionOf(id: number): { writer: number; n: number } | undefined {
  if (!Number.isSafeInteger(id) || id < 1) return undefined;
  return { writer: Math.floor((id - 1) / ID_BLOCK), n: (id - 1) % ID_BLOCK };
}

export interface PlannedInsert {
  readonly ids: number[];
  readonly sql: string;
}

export interface PlannedRead {
  readonly range: readonly [number, number];
  readonly sql: string;
}

export interface ReadersPlanner {
  insert(writer: number): PlannedInsert;
  read(reader: number): PlannedRead;
}

/**
 * Seeded inserts and range reads. Writer w sends its ids in order, never one twice (a failed
 * batch's ids are not retried); a reader reads a few hundred ids just below a writer's frontier,
 * where a read that misses a freshly acknowledged row is most likely.
 */
export function createReadersPlanner(table: string, seed: number, writers: number, rowsPerInsert: { min: number; max: number }): ReadersPlanner {
  const root = seededRandom(seed).fork('readers');
  const writerRandom: Random[] = Array.from({ length: writers }, (_, writer) => root.fork(`writer-${writer}`));
  const readerRandom = new Map<number, Random>();
  const sent: number[] = Array.from({ length: writers }, () => 0);
  return {
    insert(writer) {
      const random = writerRandom[writer]!;
      const count = random.int(rowsPerInsert.min, rowsPerInsert.max);
      const ids = Array.from({ length: count }, (_, offset) => readerId(writer, sent[writer]! + offset));
      sent[writer]! += count;
      return { ids, sql: `INSERT INTO ${table} (id, payload) VALUES ${ids.map((id) => `(${id}, 'p${id}')`).join(', ')}` };
    },
    read(reader) {
      let random = readerRandom.get(reader);
      if (!random) {
        random = root.fork(`reader-${reader}`);
        readerRandom.set(reader, random);
      }
      const writer = random.int(0, writers - 1);
      const width = random.int(100, 400);
      const frontier = readerId(writer, sent[writer]!);
      const low = Math.max(readerId(writer, 0), frontier - random.int(0, width));
      const range = [low, low + width] as const;
      return { range, sql: `SELECT id FROM ${table} WHERE id >= ${range[0]} AND id < ${range[1]} ORDER BY id LIMIT ${READ_LIMIT}` };
    },
  };
}
