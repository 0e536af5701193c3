import type { ScenarioDefinition } from '../src/scenario/types.js';
import { standardWorkload } from './workload.js';

export const killMidInsert: ScenarioDefinition = {
  name: 'kill-mid-insert',
  summary: 'SIGKILL the server while concurrent writers insert into a USER and a SHARED table, restart, check every acknowledged row',
  defaults: { cycles: 3, writers: 4 },
  workload: standardWorkload,
  faults: [{ kind: 'kill', trigger: { kind: 'acks', min: 40, max: 400 }, signal: 'SIGKILL' }],
  checks: ['acknowledged-writes', 'metadata', 'table-unavailable', 'flush-stuck'],
};
