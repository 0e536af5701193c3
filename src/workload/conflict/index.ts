import type { Workload, WorkloadDefinition, WorkloadEnv } from '../../run/seams.js';
import type { TableSpec } from '../../vocabulary/scenario.js';
import type { Scope } from '../../vocabulary/violations.js';
import { extraColumnsDdl, payloadFor } from '../insert-workload.js';
import { sendOperation, startProcesses, type PlannedOperation } from '../operations.js';
import { keyOf, readRows, recordScopeReads } from '../read-rows.js';
import { scopesOfTable } from '../scopes.js';
import { conflictChecker } from './check.js';
import { createConflictGenerator, type PlannedStatement } from './generator.js';

export const conflict: WorkloadDefinition = {
  name: 'conflict',
  summary: 'multi-row INSERTs that repeat primary keys inside a statement, across writers, and against keys already stored hot or flushed',
  invariant: 'a statement that failed left none of its rows, one acknowledged left all of them, an unanswered one all or none, never part; no key holds two rows',
  tables: () => [
    { name: 'conflict_rows', type: 'SHARED' },
    { name: 'user_conflict_rows', type: 'USER' },
  ],
  processes: (writers) => Math.max(2, writers),
  create: createConflictWorkload,
  checker: conflictChecker,
};

function createConflictWorkload(env: WorkloadEnv): Workload {
  const { spec } = env;
  const qualified = (table: TableSpec) => `${spec.namespace}.${table.name}`;
  const scopesOf = (table: TableSpec) => scopesOfTable(spec, table);
  const scopes = (): Scope[] => env.tables.flatMap(scopesOf);
  const generator = createConflictGenerator({ seed: env.seed, processes: env.processes, scopes: scopes(), rowsPerInsert: spec.rowsPerInsert });
  const planned = new WeakMap<PlannedOperation, PlannedStatement>();
  const plan = (statement: PlannedStatement): PlannedOperation => {
    const operation: PlannedOperation = {
      table: statement.scope.table,
      partition: statement.scope.partition,
      op: { workload: 'conflict', f: 'insert', keys: statement.keys },
      sql: (tag) => `INSERT INTO ${statement.scope.table} (id, tag, payload) VALUES ${statement.keys.map((key) => `(${key}, '${tag}', '${payloadFor(env.seed, key, spec.payloadBytes)}')`).join(', ')}`,
    };
    planned.set(operation, statement);
    return operation;
  };
  return {
    kind: 'conflict',
    namespace: spec.namespace,
    tables: env.tables,
    schema: () => env.tables.map((table) => `CREATE TABLE ${qualified(table)} (id BIGINT PRIMARY KEY, tag TEXT NOT NULL, payload TEXT NOT NULL${extraColumnsDdl(spec)}) WITH (TYPE = '${table.type}')`),
    scopes,
    scopesOf,
    qualifiedName: qualified,
    start(ctx, cycle) {
      return startProcesses({
        ctx: { client: ctx.client(), record: (event) => ctx.record(event), cycle, requestIds: env.requestIds },
        processes: env.processes,
        next: (process) => plan(generator.next(process, cycle)),
        settled: (_process, operation, sent) => {
          const statement = planned.get(operation);
          if (statement && sent.settled === 'acknowledged') generator.acknowledged(statement);
        },
      });
    },
    async probe(ctx, cycle, scope) {
      const statement = generator.next(0, cycle);
      const sent = await sendOperation({ client: ctx.client(), record: (event) => ctx.record(event), cycle, requestIds: env.requestIds }, 0, plan({ ...statement, scope }));
      return sent.outcome.kind === 'error' ? { error: `${sent.outcome.code}: ${sent.outcome.message}` } : {};
    },
    readBack: (ctx, cycle, purpose) =>
      recordScopeReads(ctx, { cycle, purpose, workload: 'conflict' }, scopes(), async (scope) => {
        const read = await readRows(ctx.client(), scope, ['id', 'tag'], ctx.config.pageSize);
        return { ids: read.rows.map((row) => keyOf(row[0])), countStar: read.countStar, columns: read.columns, rows: read.rows };
      }),
  };
}
