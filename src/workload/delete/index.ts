import type { Workload, WorkloadDefinition, WorkloadEnv } from '../../run/seams.js';
import type { TableSpec } from '../../vocabulary/scenario.js';
import type { Scope } from '../../vocabulary/violations.js';
import { payloadFor } from '../insert-workload.js';
import { sendOperation, startProcesses } from '../operations.js';
import { keyOf, readRows, recordScopeReads } from '../read-rows.js';
import { scopesOfTable } from '../scopes.js';
import { deleteChecker } from './check.js';
import { createDeleteGenerator, DELETE_WORKLOAD } from './generator.js';

/** Small enough that flushes happen during traffic, so some deleted keys are hot and some flushed. */
const FLUSH_POLICY = 'rows:50';

export const deleteWorkload: WorkloadDefinition = {
  name: DELETE_WORKLOAD,
  summary: 'multi-row INSERTs of fresh keys and DELETEs by primary key of acknowledged ones, recent (hot) and old (flushed), into a SHARED and a USER table',
  invariant:
    'a key whose DELETE was acknowledged never comes back through flushes and restarts, an acknowledged key nothing deleted is there once, failed statements change nothing, and WHERE _deleted = true agrees',
  tables: (): TableSpec[] => [
    { name: 'deletable', type: 'SHARED', flushPolicy: FLUSH_POLICY },
    { name: 'user_deletable', type: 'USER', flushPolicy: FLUSH_POLICY },
  ],
  processes: (writers) => Math.max(2, writers),
  create: createDeleteWorkload,
  checker: deleteChecker,
};

function createDeleteWorkload(env: WorkloadEnv): Workload {
  const { spec } = env;
  const qualifiedName = (table: TableSpec) => `${spec.namespace}.${table.name}`;
  const scopesOf = (table: TableSpec): Scope[] => scopesOfTable(spec, table);
  const scopes = env.tables.flatMap(scopesOf);
  const generator = createDeleteGenerator({
    seed: env.seed,
    scopes,
    processes: env.processes,
    rowsPerInsert: spec.rowsPerInsert,
    payload: (key) => payloadFor(env.seed, key, spec.payloadBytes),
  });
  return {
    kind: DELETE_WORKLOAD,
    namespace: spec.namespace,
    tables: env.tables,
    schema: () =>
      env.tables.map((table) => {
        const options = [`TYPE = '${table.type}'`, ...(table.flushPolicy ? [`FLUSH_POLICY = '${table.flushPolicy}'`] : [])];
        return `CREATE TABLE ${qualifiedName(table)} (id BIGINT PRIMARY KEY, payload TEXT NOT NULL) WITH (${options.join(', ')})`;
      }),
    scopes: () => scopes,
    scopesOf,
    qualifiedName,
    start: (ctx, cycle) =>
      startProcesses({
        ctx: { client: ctx.client(), record: (event) => ctx.record(event), cycle, requestIds: env.requestIds },
        processes: env.processes,
        next: (process) => generator.next(process),
        settled: (process, planned, sent) => generator.settled(process, planned, sent),
      }),
    async probe(ctx, cycle, scope) {
      const sent = await sendOperation({ client: ctx.client(), record: (event) => ctx.record(event), cycle, requestIds: env.requestIds }, env.processes, generator.probe(scope));
      return sent.outcome.kind === 'error' ? { error: `${sent.outcome.code}: ${sent.outcome.message}` } : {};
    },
    readBack: (ctx, cycle, purpose) =>
      recordScopeReads(ctx, { cycle, purpose, workload: DELETE_WORKLOAD }, scopes, async (scope) => {
        const live = await readRows(ctx.client(), scope, ['id'], ctx.config.pageSize);
        return { ids: live.rows.map((row) => keyOf(row[0])), countStar: live.countStar, columns: live.columns, rows: live.rows, ...(await readTombstones(ctx, scope)) };
      }),
  };
}

async function readTombstones(ctx: Parameters<Workload['readBack']>[0], scope: Scope): Promise<{ tombstones: number[] } | { tombstonesError: string }> {
  try {
    const tombstones = await readRows(ctx.client(), scope, ['id'], ctx.config.pageSize, '_deleted = true');
    return { tombstones: tombstones.rows.map((row) => keyOf(row[0])) };
  } catch (error) {
    return { tombstonesError: (error as Error).message };
  }
}
