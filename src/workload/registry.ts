import type { Workload } from '../run/seams.js';
import type { InsertWorkloadSpec } from '../vocabulary/scenario.js';
import { createInsertWorkload } from './insert/index.js';

/** Every workload by kind; a scenario names one (default insert). */
export const WORKLOADS: Readonly<Record<'insert', (spec: InsertWorkloadSpec, seed: number) => Workload>> = {
  insert: createInsertWorkload,
};
