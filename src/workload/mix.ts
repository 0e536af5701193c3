import type { Workload } from '../run/seams.js';
import type { EventOf } from '../vocabulary/events.js';
import type { InsertWorkloadSpec, TableSpec, WorkloadName } from '../vocabulary/scenario.js';
import { combineTraffic, createRequestIds } from './operations.js';
import { mixOf, workloadDefinition } from './registry.js';

/**
 * The run's workloads as one: the schema and traffic of each, every table's read-back. Each part
 * writes only its own tables (spec.tables, marked with their owner), so their checkers never meet.
 */
export function createMix(spec: InsertWorkloadSpec, seed: number): Workload {
  const mix: readonly WorkloadName[] = mixOf(spec);
  const requestIds = createRequestIds();
  const parts = mix.map((name) => {
    const definition = workloadDefinition(name);
    const tables = spec.tables.filter((table) => (table.workload ?? 'append') === name);
    return definition.create({ spec, seed, tables, requestIds, processes: definition.processes(spec.writers) });
  });
  const ownerOf = (table: string): Workload => {
    const part = parts.find((candidate) => candidate.tables.some((owned) => candidate.qualifiedName(owned) === table));
    if (!part) throw new Error(`no workload of this run owns ${table}`);
    return part;
  };
  const tables: TableSpec[] = parts.flatMap((part) => [...part.tables]);
  return {
    kind: mix.join(','),
    namespace: spec.namespace,
    tables,
    schema: () => [`CREATE NAMESPACE IF NOT EXISTS ${spec.namespace}`, ...parts.flatMap((part) => part.schema())],
    scopes: () => parts.flatMap((part) => part.scopes()),
    scopesOf: (table) => ownerOf(`${spec.namespace}.${table.name}`).scopesOf(table),
    qualifiedName: (table) => `${spec.namespace}.${table.name}`,
    start: (ctx, cycle) => combineTraffic(parts.map((part) => part.start(ctx, cycle))),
    probe: (ctx, cycle, scope) => ownerOf(scope.table).probe(ctx, cycle, scope),
    async readBack(ctx, cycle, purpose) {
      const events: EventOf<'read-back'>[] = [];
      for (const part of parts) events.push(...(await part.readBack(ctx, cycle, purpose)));
      return events;
    },
  };
}
