import type { Workload, WorkloadDefinition, WorkloadEnv } from '../../run/seams.js';
import type { EventOf } from '../../vocabulary/events.js';
import { startProcesses, type PlannedOperation } from '../operations.js';
import { ddlChecker, ddlNamespace } from './check.js';
import { createDdlPlanner, userPrefix } from './plan.js';
import { DDL_READ_BACK_COLUMNS, readDdlObjects } from './read-back.js';
import { withoutPasswords } from './redact.js';
import { readFailureMessage } from '../../util/tool-errors.js';

/**
 * Serial DDL in a namespace of its own (`<ns>_ddl`): tables created, altered and dropped, users
 * created and dropped, never a name twice. Its tables live only inside cycles, so the run's
 * table list stays empty and the checkers of the main namespace never see them.
 */
export const ddl: WorkloadDefinition = {
  name: 'ddl',
  summary: 'serial CREATE/ALTER/DROP TABLE and CREATE/DROP USER in a namespace of its own, paced 0-100 ms',
  invariant: 'after every restart acknowledged DDL is there (tables with every acknowledged column, users), acknowledged drops stay dropped, failed DDL changed nothing, indeterminate DDL is whole or absent, and nothing else exists',
  tables: () => [],
  processes: () => 1,
  create: createDdlWorkload,
  checker: ddlChecker,
};

function createDdlWorkload(env: WorkloadEnv): Workload {
  const namespace = ddlNamespace(env.spec.namespace);
  const planner = createDdlPlanner(namespace, env.seed);
  return {
    kind: 'ddl',
    namespace,
    tables: [],
    schema: () => [`CREATE NAMESPACE IF NOT EXISTS ${namespace}`],
    scopes: () => [],
    scopesOf: () => [],
    qualifiedName: (table) => `${namespace}.${table.name}`,
    start(ctx, cycle) {
      return startProcesses({
        ctx: { client: withoutPasswords(ctx.client()), record: (event) => ctx.record(event), cycle, requestIds: env.requestIds },
        processes: 1,
        async next(): Promise<PlannedOperation> {
          const planned = planner.next();
          await new Promise((resolve) => setTimeout(resolve, planned.pauseMs));
          return { table: namespace, partition: null, op: { workload: 'ddl', f: planned.f, value: planned.value }, sql: planned.sql };
        },
      });
    },
    probe: (_ctx, _cycle, scope) => Promise.resolve({ error: `the ddl workload writes no scope (${scope.table})` }),
    async readBack(ctx, cycle, purpose) {
      const where = { type: 'read-back' as const, cycle, incarnation: ctx.incarnation(), purpose, table: namespace, partition: null, workload: 'ddl' as const };
      let event: EventOf<'read-back'>;
      try {
        event = { ...where, columns: [...DDL_READ_BACK_COLUMNS], rows: await readDdlObjects(ctx.client(), namespace, userPrefix(namespace), ctx.config.pageSize) };
      } catch (error) {
        event = { ...where, error: readFailureMessage(error, `read-back of ${namespace}`) };
      }
      ctx.record(event);
      return [event];
    },
  };
}
