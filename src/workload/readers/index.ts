import { readRows } from '../read-rows.js';
import type { Workload, WorkloadDefinition, WorkloadEnv } from '../../run/seams.js';
import type { EventOf } from '../../vocabulary/events.js';
import type { TableSpec } from '../../vocabulary/scenario.js';
import { sendOperation, startProcesses, type PlannedOperation } from '../operations.js';
import { scopesOfTable } from '../scopes.js';
import { readersChecker } from './check.js';
import { createReadersPlanner, READ_ROWS_TABLE } from './plan.js';
import { readFailureMessage } from '../../util/tool-errors.js';

/** Readers beside the writers: at least two, so reads overlap each other as well as the inserts. */
const READERS = 2;

/**
 * Writers insert multi-row batches of ids dense per writer while readers read id ranges just below
 * the writers' frontiers: a read must see what was acknowledged before it began.
 */
export const readers: WorkloadDefinition = {
  name: 'readers',
  summary: 'concurrent multi-row INSERTs with concurrent range SELECTs near the writers\u2019 frontiers, on a SHARED table of its own',
  invariant: 'a range read returns every row acknowledged before it began and none never sent or failed, and after each restart every acknowledged row is back and nothing else',
  tables: () => [{ name: READ_ROWS_TABLE, type: 'SHARED' }],
  processes: (writers) => Math.max(1, writers) + READERS,
  create: createReadersWorkload,
  checker: readersChecker,
};

function createReadersWorkload(env: WorkloadEnv): Workload {
  const { spec } = env;
  const table: TableSpec = env.tables[0] ?? { name: READ_ROWS_TABLE, type: 'SHARED', workload: 'readers' };
  const qualified = `${spec.namespace}.${table.name}`;
  const writers = Math.max(1, env.processes - READERS);
  const planner = createReadersPlanner(qualified, env.seed, writers, spec.rowsPerInsert);
  const scopesOf = (owned: TableSpec) => scopesOfTable(spec, owned);
  return {
    kind: 'readers',
    namespace: spec.namespace,
    tables: [table],
    schema: () => [`CREATE TABLE ${qualified} (id BIGINT PRIMARY KEY, payload TEXT NOT NULL) WITH (TYPE = 'SHARED')`],
    scopes: () => scopesOf(table),
    scopesOf,
    qualifiedName: (owned) => `${spec.namespace}.${owned.name}`,
    start(ctx, cycle) {
      return startProcesses({
        ctx: { client: ctx.client(), record: (event) => ctx.record(event), cycle, requestIds: env.requestIds },
        processes: writers + READERS,
        next(process): PlannedOperation {
          if (process < writers) {
            const insert = planner.insert(process);
            return { table: qualified, partition: null, op: { workload: 'readers', f: 'insert', keys: insert.ids }, sql: insert.sql };
          }
          const read = planner.read(process - writers);
          return { table: qualified, partition: null, op: { workload: 'readers', f: 'read', keys: [...read.range] }, sql: read.sql, keepRows: true };
        },
        counts: (planned) => planned.op.f !== 'read',
      });
    },
    async probe(ctx, cycle, scope) {
      const insert = planner.insert(0);
      const sent = await sendOperation({ client: ctx.client(), record: (event) => ctx.record(event), cycle, requestIds: env.requestIds }, 0, {
        table: scope.table,
        partition: null,
        op: { workload: 'readers', f: 'insert', keys: insert.ids },
        sql: insert.sql,
      });
      return sent.outcome.kind === 'error' ? { error: `${sent.outcome.code}: ${sent.outcome.message}` } : {};
    },
    async readBack(ctx, cycle, purpose) {
      const where = { type: 'read-back' as const, cycle, incarnation: ctx.incarnation(), purpose, table: qualified, partition: null, workload: 'readers' as const };
      let event: EventOf<'read-back'>;
      try {
        const contents = await readRows(ctx.client(), { table: qualified, partition: null }, ['id'], ctx.config.pageSize);
        const ids = contents.rows.map((row) => Number(row[0]));
        event = { ...where, ids, countStar: contents.countStar };
      } catch (error) {
        event = { ...where, error: readFailureMessage(error, `read of ${qualified}`) };
      }
      ctx.record(event);
      return [event];
    },
  };
}
