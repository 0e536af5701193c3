import { seededRandom, type Random } from '../../util/random.js';
import type { Scope } from '../../vocabulary/violations.js';
import type { PlannedOperation, SentOperation } from '../operations.js';

export const DELETE_WORKLOAD = 'delete';

/** Of the keys a process may delete, the newest this many are "recent" (likely still hot). */
const RECENT_KEYS = 8;
/** One DELETE for every two INSERTs, once a scope has keys to delete. */
const DELETE_SHARE = 1 / 3;

export interface DeleteGeneratorOptions {
  readonly seed: number;
  /** Every scope the workload writes; tables are picked evenly, then a partition of the table. */
  readonly scopes: readonly Scope[];
  readonly processes: number;
  readonly rowsPerInsert: { readonly min: number; readonly max: number };
  readonly payload: (key: number) => string;
}

export interface DeleteGenerator {
  next(process: number): PlannedOperation;
  /** What the answer teaches: acknowledged keys become deletable, a failed DELETE's key is deletable again. */
  settled(process: number, planned: PlannedOperation, sent: Pick<SentOperation, 'settled'>): void;
  /** A one-row INSERT of a fresh key into the scope, from a key space no process uses. */
  probe(scope: Scope): PlannedOperation;
}

interface ProcessState {
  readonly random: Random;
  /** Keys handed out so far; the n-th key of process p is n * (processes + 1) + p + 1. */
  keysIssued: number;
  /** Per scope index: keys whose INSERT was acknowledged and that no DELETE was sent for, oldest first. */
  readonly deletable: number[][];
}

/**
 * The delete workload's operations, a pure function of the seed and the answers: multi-row INSERTs
 * of fresh keys (unique by construction, never reused) and DELETEs by primary key of a key the
 * same process inserted with an acknowledgement and has not tried to delete yet (a failed DELETE
 * gives it back). Half the deletes take a recent key, half an older one, so both hot and flushed
 * rows are deleted.
 */
export function createDeleteGenerator(options: DeleteGeneratorOptions): DeleteGenerator {
  const root = seededRandom(options.seed).fork(DELETE_WORKLOAD);
  const stride = options.processes + 1;
  const processes: ProcessState[] = Array.from({ length: stride }, (_, index) => ({
    random: root.fork(`process-${index}`),
    keysIssued: 0,
    deletable: options.scopes.map(() => []),
  }));
  const tables = [...new Set(options.scopes.map((scope) => scope.table))];
  const scopeIndexOf = (table: string, partition: string | null) => options.scopes.findIndex((scope) => scope.table === table && scope.partition === partition);

  const freshKey = (process: number): number => {
    const state = processes[process]!;
    return state.keysIssued++ * stride + process + 1;
  };

  const insert = (process: number, scope: Scope, rows: number): PlannedOperation => {
    const keys = Array.from({ length: rows }, () => freshKey(process));
    const values = keys.map((key) => `(${key}, '${options.payload(key)}')`).join(', ');
    return { table: scope.table, partition: scope.partition, op: { workload: DELETE_WORKLOAD, f: 'insert', keys }, sql: `INSERT INTO ${scope.table} (id, payload) VALUES ${values}` };
  };

  const pickScope = (random: Random): number => {
    const table = random.pick(tables);
    const candidates = options.scopes.map((scope, index) => ({ scope, index })).filter((candidate) => candidate.scope.table === table);
    return random.pick(candidates).index;
  };

  /** Removes and returns a recent key half the time, an older one otherwise. */
  const takeKey = (random: Random, keys: number[]): number => {
    const recentFrom = Math.max(0, keys.length - RECENT_KEYS);
    const recent = recentFrom === 0 || random.next() < 0.5;
    const index = recent ? random.int(recentFrom, keys.length - 1) : random.int(0, recentFrom - 1);
    return keys.splice(index, 1)[0]!;
  };

  return {
    next(process) {
      const state = processes[process]!;
      const scopeIndex = pickScope(state.random);
      const scope = options.scopes[scopeIndex]!;
      const deletable = state.deletable[scopeIndex]!;
      if (deletable.length > 0 && state.random.next() < DELETE_SHARE) {
        const key = takeKey(state.random, deletable);
        return { table: scope.table, partition: scope.partition, op: { workload: DELETE_WORKLOAD, f: 'delete', keys: [key] }, sql: `DELETE FROM ${scope.table} WHERE id = ${key}` };
      }
      return insert(process, scope, state.random.int(options.rowsPerInsert.min, options.rowsPerInsert.max));
    },
    settled(process, planned, sent) {
      const deletable = processes[process]?.deletable[scopeIndexOf(planned.table, planned.partition)];
      if (!deletable) return;
      const keys = planned.op.keys ?? [];
      if (planned.op.f === 'insert' && sent.settled === 'acknowledged') deletable.push(...keys);
      if (planned.op.f === 'delete' && sent.settled === 'failed') deletable.push(...keys);
    },
    probe: (scope) => insert(options.processes, scope, 1),
  };
}
