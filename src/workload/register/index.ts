import type { Workload, WorkloadDefinition, WorkloadEnv } from '../../run/seams.js';
import { seededRandom } from '../../util/random.js';
import type { TableSpec } from '../../vocabulary/scenario.js';
import { sendOperation, startProcesses } from '../operations.js';
import { readRows, recordScopeReads } from '../read-rows.js';
import { scopesOfTable } from '../scopes.js';
import { registerChecker } from './check.js';
import { COLUMNS, REGISTER_TABLES, schemaStatements, writeSequence } from './plan.js';

const MIN_PROCESSES = 3;

/**
 * Concurrent single-key UPDATEs (plain, and counter increments) of a small key set per scope,
 * each writing a unique tag. Its checker holds every key to a value some write may have left.
 */
export const register: WorkloadDefinition = {
  name: 'register',
  summary: 'concurrent UPDATEs (v = tag, and n = n + 1) of 8 keys per scope in a SHARED and a USER table',
  invariant:
    'every key holds the initial value or that of an acknowledged or indeterminate write no acknowledged write began after, and each counter lies between its acknowledged and its acknowledged + indeterminate increments',
  tables: () => [...REGISTER_TABLES],
  processes: (writers) => Math.max(MIN_PROCESSES, writers),
  create: createRegisterWorkload,
  checker: registerChecker,
};

function createRegisterWorkload(env: WorkloadEnv): Workload {
  const { spec } = env;
  const tables: readonly TableSpec[] = env.tables.length > 0 ? env.tables : REGISTER_TABLES;
  const scopesOf = (table: TableSpec) => scopesOfTable(spec, table);
  const scopes = tables.flatMap(scopesOf);
  const root = seededRandom(env.seed).fork('register');
  const sequences = Array.from({ length: env.processes }, (_, process) => writeSequence(process, root.fork(`process-${process}`), scopes));
  // Probes write from a sequence of their own, after the processes' numbers.
  const probes = writeSequence(env.processes, root.fork('probe'), scopes);
  return {
    kind: 'register',
    namespace: spec.namespace,
    tables,
    schema: () => schemaStatements(spec.namespace, scopes),
    scopes: () => scopes,
    scopesOf,
    qualifiedName: (table) => `${spec.namespace}.${table.name}`,
    start: (ctx, cycle) =>
      startProcesses({
        ctx: { client: ctx.client(), record: (event) => ctx.record(event), cycle, requestIds: env.requestIds },
        processes: env.processes,
        next: (process) => sequences[process]!.next(),
      }),
    async probe(ctx, cycle, scope) {
      const sent = await sendOperation({ client: ctx.client(), record: (event) => ctx.record(event), cycle, requestIds: env.requestIds }, env.processes, probes.nextIn(scope));
      return sent.outcome.kind === 'error' ? { error: `${sent.outcome.code}: ${sent.outcome.message}` } : {};
    },
    readBack: (ctx, cycle, purpose) =>
      recordScopeReads(ctx, { cycle, purpose, workload: 'register' }, scopes, async (scope) => {
        const read = await readRows(ctx.client(), scope, COLUMNS, ctx.config.pageSize);
        return { ids: read.rows.map((row) => Number(row[0])), countStar: read.countStar, columns: read.columns, rows: read.rows };
      }),
  };
}
