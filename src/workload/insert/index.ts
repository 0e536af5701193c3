import { readScope } from '../../checker/read-scope.js';
import type { Traffic, Workload } from '../../run/seams.js';
import { createAckCounter } from '../../nemesis/kill-trigger.js';
import type { InsertWorkloadSpec, TableSpec } from '../../vocabulary/scenario.js';
import type { Scope } from '../../vocabulary/violations.js';
import type { EventOf } from '../../vocabulary/events.js';
import { initialWorkloadState, payloadFor, probeInsert, qualifiedName, schemaStatements, startWriters } from '../insert-workload.js';

/**
 * Today's workload: concurrent multi-row INSERTs of ids unique by construction. Its history
 * (request ids and row ids, outcomes) is what the acknowledged-writes checker holds the read-back to.
 */
export function createInsertWorkload(spec: InsertWorkloadSpec, seed: number): Workload {
  const state = initialWorkloadState(spec, seed);
  const scopesOf = (table: TableSpec): Scope[] => {
    const name = qualifiedName(spec, table);
    return table.type === 'USER' ? spec.users.map((user) => ({ table: name, partition: user })) : [{ table: name, partition: null }];
  };
  return {
    kind: 'insert',
    namespace: spec.namespace,
    tables: spec.tables,
    schema: () => schemaStatements(spec),
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
      if (!table) throw new Error(`probe: ${scope.table} is not a table of the workload`);
      const probe = await probeInsert({ client: ctx.client(), spec, state, record: (event) => ctx.record(event), cycle, table, partition: scope.partition });
      return probe.outcome.kind === 'error' ? { error: `${probe.outcome.code}: ${probe.outcome.message}` } : {};
    },
    async readBack(ctx, cycle, purpose) {
      const recorded: EventOf<'read-back'>[] = [];
      const record = (event: EventOf<'read-back'>) => {
        recorded.push(event);
        ctx.record(event);
      };
      for (const scope of spec.tables.flatMap(scopesOf)) {
        const where = { cycle, incarnation: ctx.incarnation(), purpose, table: scope.table, partition: scope.partition };
        try {
          const contents = await readScope(ctx.client(), scope, ctx.config.pageSize);
          const payloadMismatch = contents.rows.filter((row) => row.payload !== payloadFor(seed, row.id, spec.payloadBytes)).map((row) => row.id);
          record({ type: 'read-back', ...where, ids: contents.rows.map((row) => row.id), countStar: contents.countStar, payloadMismatch });
        } catch (error) {
          record({ type: 'read-back', ...where, error: (error as Error).message });
        }
      }
      return recorded;
    },
  };
}
