import type { WorkloadDefinition } from '../run/seams.js';
import type { TableSpec, WorkloadName } from '../vocabulary/scenario.js';
import { append } from './append/index.js';
import { conflict } from './conflict/index.js';
import { deleteWorkload } from './delete/index.js';
import { register } from './register/index.js';
import { ddl } from './ddl/index.js';
import { readers } from './readers/index.js';
import { subscribers } from './subscribers/index.js';

/** Every workload by name; `--workload a,b` runs several side by side, each on its own tables. */
export const WORKLOADS: Readonly<Partial<Record<WorkloadName, WorkloadDefinition>>> = {
  append,
  conflict,
  delete: deleteWorkload,
  register,
  ddl,
  readers,
  subscribers,
};

/** A run's workloads: a history without `mix` (kalam-chaos before workloads) ran append alone. */
export function mixOf(spec: { readonly mix?: readonly WorkloadName[] }): readonly WorkloadName[] {
  return spec.mix ?? ['append'];
}

/** What `--workload` runs when it is not given. */
export const DEFAULT_MIX: readonly WorkloadName[] = ['append', 'conflict', 'register', 'delete', 'ddl', 'readers'];

export function workloadNames(): WorkloadName[] {
  return Object.keys(WORKLOADS) as WorkloadName[];
}

export function workloadDefinition(name: WorkloadName): WorkloadDefinition {
  const definition = WORKLOADS[name];
  if (!definition) throw new Error(`unknown workload "${name}"; known: ${workloadNames().join(', ')}`);
  return definition;
}

/** The run's tables: each workload's, marked with its owner. */
export function mixTables(mix: readonly WorkloadName[], scenarioTables: readonly TableSpec[]): TableSpec[] {
  return mix.flatMap((name) => workloadDefinition(name).tables(scenarioTables).map((table) => (name === 'append' ? table : { ...table, workload: name })));
}
