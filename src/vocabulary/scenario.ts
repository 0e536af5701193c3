/** A scenario as declared in chaos/: plain data, interpreted by the campaign runner. Types only. */
import type { FaultSpec } from './faults.js';

export type TableType = 'USER' | 'SHARED';

/** A workload's registry name (src/workload/registry.ts). */
export type WorkloadName = 'append' | 'conflict' | 'register' | 'delete' | 'ddl' | 'readers' | 'subscribers';

export interface TableSpec {
  readonly name: string;
  readonly type: TableType;
  /** KalamDB FLUSH_POLICY, e.g. 'rows:1000'; omitted means the server's default. */
  readonly flushPolicy?: string;
  /** The workload that writes it and whose checker judges it (absent: append). */
  readonly workload?: WorkloadName;
}

/** Concurrent multi-row INSERTs of ids unique by construction into USER and SHARED tables. */
export interface InsertWorkloadSpec {
  readonly namespace: string;
  readonly tables: readonly TableSpec[];
  /** The users whose partitions of USER tables are written (EXECUTE AS USER). */
  readonly users: readonly string[];
  readonly writers: number;
  readonly rowsPerInsert: { readonly min: number; readonly max: number };
  readonly payloadBytes: number;
  /** The workloads run side by side, each on its own tables (absent: append alone). */
  readonly mix?: readonly WorkloadName[];
  /** TEXT columns beyond a workload's own (a wide-table shape); absent: none. */
  readonly extraColumns?: number;
}

/** A checker's registry name. */
export type CheckName =
  | 'acknowledged-writes'
  | 'metadata'
  | 'storage'
  | 'table-unavailable'
  | 'flush-stuck'
  | 'segment-immutability'
  | 'recovery'
  | 'availability'
  | 'recovery-outcome'
  | 'upgrade-outcome';

export interface ScenarioDefinition {
  readonly name: string;
  readonly summary: string;
  readonly defaults: { readonly cycles: number; readonly writers: number };
  readonly workload: Omit<InsertWorkloadSpec, 'writers'>;
  /** Faults composed in order: exactly one brings the server down (kill, flush-kill, corrupt); others add to it (power-cut). */
  readonly faults: readonly FaultSpec[];
  /** Checkers beyond those every campaign runs (recovery, availability, segment-immutability). */
  readonly checks: readonly CheckName[];
}
