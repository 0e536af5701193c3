import { readScope } from '../../checker/read-scope.js';
import { acknowledgedWrites } from '../../checker/acknowledged-writes/index.js';
import type { Traffic, Workload, WorkloadDefinition, WorkloadEnv } from '../../run/seams.js';
import { createAckCounter } from '../../nemesis/kill-trigger.js';
import type { TableSpec } from '../../vocabulary/scenario.js';
import type { EventOf } from '../../vocabulary/events.js';
import { initialWorkloadState, payloadFor, probeInsert, qualifiedName, schemaStatements, startWriters } from '../insert-workload.js';
import { scopesOfTable } from '../scopes.js';
import { readFailureMessage } from '../../util/tool-errors.js';
import { packIds } from '../../history/packed-ids.js';

/**
 * Concurrent multi-row INSERTs of ids unique by construction. Its history (request ids and row
 * ids, outcomes) is what the acknowledged-writes checker holds the read-back to.
 */
export const append: WorkloadDefinition = {
  name: 'append',
  summary: 'concurrent multi-row INSERTs of ids unique by construction into USER and SHARED tables',
  invariant: 'every acknowledged row is back after each restart, once and as sent, and no row that was never sent or was cleanly refused is; COUNT(*) agrees',
  tables: (scenarioTables) => scenarioTables.filter((table) => !table.workload || table.workload === 'append'),
  processes: (writers) => writers,
  create: createAppendWorkload,
  checker: acknowledgedWrites,
};

function createAppendWorkload(env: WorkloadEnv): Workload {
  const spec = { ...env.spec, tables: env.tables, writers: env.processes };
  const { seed } = env;
  const state = initialWorkloadState(spec, seed, env.requestIds);
  const scopesOf = (table: TableSpec) => scopesOfTable(spec, table);
  return {
    kind: 'append',
    namespace: spec.namespace,
    tables: spec.tables,
    schema: () => schemaStatements(spec).filter((statement) => !statement.startsWith('CREATE NAMESPACE')),
    scopes: () => spec.tables.flatMap(scopesOf),
    scopesOf,
    qualifiedName: (table) => qualifiedName(spec, table),
    start(ctx, cycle): Traffic {
      const acks = createAckCounter();
      const writers = startWriters({ client: ctx.client(), spec, state, record: (event) => ctx.record(event), cycle, onAcknowledged: () => acks.add(1) });
      return { stop: () => writers.stop(), finished: writers.finished, inFlight: () => writers.inFlight(), acks };
    },
    async probe(ctx, cycle, scope) {
      const table = spec.tables.find((candidate) => qualifiedName(spec, candidate) === scope.table);
      if (!table) throw new Error(`probe: ${scope.table} is not a table of the append workload`);
      const probe = await probeInsert({ client: ctx.client(), spec, state, record: (event) => ctx.record(event), cycle, table, partition: scope.partition });
      return probe.outcome.kind === 'error' ? { error: `${probe.outcome.code}: ${probe.outcome.message}` } : {};
    },
    async readBack(ctx, cycle, purpose) {
      const recorded: EventOf<'read-back'>[] = [];
      for (const scope of spec.tables.flatMap(scopesOf)) {
        const where = { cycle, incarnation: ctx.incarnation(), purpose, table: scope.table, partition: scope.partition };
        let event: EventOf<'read-back'>;
        try {
          const contents = await readScope(ctx.client(), scope, ctx.config.pageSize, (id) => payloadFor(seed, id, spec.payloadBytes));
          const packedIds = packIds(contents.ids);
          const ids = packedIds === undefined ? { ids: [...contents.ids] } : { packedIds };
          event = { type: 'read-back', ...where, ...ids, countStar: contents.countStar, payloadMismatch: contents.payloadMismatch };
        } catch (error) {
          event = { type: 'read-back', ...where, error: readFailureMessage(error, `read-back of ${scope.table}`) };
        }
        recorded.push(event);
        ctx.record(event);
      }
      return recorded;
    },
  };
}
