import type { InsertWorkloadSpec, TableSpec } from '../vocabulary/scenario.js';
import type { Scope } from '../vocabulary/violations.js';

/** A USER table has one scope per user of the run; a SHARED table one. */
export function scopesOfTable(spec: Pick<InsertWorkloadSpec, 'namespace' | 'users'>, table: TableSpec): Scope[] {
  const name = `${spec.namespace}.${table.name}`;
  return table.type === 'USER' ? spec.users.map((user) => ({ table: name, partition: user })) : [{ table: name, partition: null }];
}

/** Whether a read-back or a request belongs to the append workload (the acknowledged-writes ledger). */
export function isAppendScope(event: { readonly workload?: string }): boolean {
  return event.workload === undefined || event.workload === 'append';
}
