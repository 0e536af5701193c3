import type { Random } from '../../util/random.js';
import { seededRandom } from '../../util/random.js';
import type { Scope } from '../../vocabulary/violations.js';

/** How a statement is made to conflict, if it is. */
export type ConflictShape = 'fresh' | 'repeat-inside' | 'recent-of-any-writer' | 'already-stored' | 'contested';

export interface PlannedStatement {
  readonly scope: Scope;
  /** As sent, a repeated key twice. */
  readonly keys: number[];
  readonly shape: ConflictShape;
}

/** Keys a scope has seen: the last ones sent by any writer, and a sample of acknowledged ones. */
interface ScopeKeys {
  readonly recent: number[];
  readonly stored: number[];
}

const RECENT = 64;
const STORED = 256;
/** Contested keys sit above every fresh key: all writers aim at the same few each cycle. */
const CONTESTED_BASE = 1_000_000_000;

export interface ConflictGenerator {
  next(process: number, cycle: number): PlannedStatement;
  /** What the writer learnt: an acknowledged statement's keys are now stored. */
  acknowledged(statement: PlannedStatement): void;
}

/**
 * Multi-row INSERTs that repeat primary keys on purpose: inside one statement, against keys
 * another writer just sent, against keys already stored (hot or flushed), and on a few keys every
 * writer contends for. Deterministic per seed and process.
 */
export function createConflictGenerator(options: {
  readonly seed: number;
  readonly processes: number;
  readonly scopes: readonly Scope[];
  readonly rowsPerInsert: { readonly min: number; readonly max: number };
}): ConflictGenerator {
  const root = seededRandom(options.seed).fork('conflict');
  const writers = Array.from({ length: options.processes }, (_, index) => ({ random: root.fork(`writer-${index}`), fresh: 0 }));
  const keysOf = new Map<string, ScopeKeys>();
  const scopeKeys = (scope: Scope): ScopeKeys => {
    const key = `${scope.table}\u0000${scope.partition ?? ''}`;
    let entry = keysOf.get(key);
    if (!entry) keysOf.set(key, (entry = { recent: [], stored: [] }));
    return entry;
  };
  const pickShape = (random: Random, known: ScopeKeys): ConflictShape => {
    const roll = random.next();
    if (roll < 0.3) return 'fresh';
    if (roll < 0.45) return 'repeat-inside';
    if (roll < 0.6 && known.recent.length > 0) return 'recent-of-any-writer';
    if (roll < 0.8 && known.stored.length > 0) return 'already-stored';
    return 'contested';
  };
  return {
    next(process, cycle) {
      const writer = writers[process];
      if (!writer) throw new Error(`conflict: no writer ${process}`);
      const { random } = writer;
      const scope = random.pick(options.scopes);
      const known = scopeKeys(scope);
      const count = Math.max(2, random.int(options.rowsPerInsert.min, options.rowsPerInsert.max));
      const freshKey = () => ++writer.fresh * options.processes + process;
      const keys = Array.from({ length: count }, freshKey);
      const shape = pickShape(random, known);
      const slot = random.int(0, count - 1);
      if (shape === 'repeat-inside') keys[slot] = keys[(slot + 1) % count]!;
      else if (shape === 'recent-of-any-writer') keys[slot] = random.pick(known.recent);
      else if (shape === 'already-stored') keys[slot] = random.pick(known.stored);
      else if (shape === 'contested') keys[slot] = CONTESTED_BASE + cycle * 1000 + random.int(0, 7);
      for (const key of keys) {
        known.recent.push(key);
        if (known.recent.length > RECENT) known.recent.shift();
      }
      return { scope, keys, shape };
    },
    acknowledged(statement) {
      const known = scopeKeys(statement.scope);
      for (const key of statement.keys) {
        if (known.stored.length < STORED) known.stored.push(key);
        else known.stored[key % STORED] = key;
      }
    },
  };
}
