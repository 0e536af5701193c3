import type { ScenarioDefinition } from '../src/scenario/types.js';
import { standardWorkload } from './workload.js';

export const powerLoss: ScenarioDefinition = {
  name: 'power-loss',
  summary: 'serve the data directory through lossfs (FUSE), SIGKILL and cut the power mid-INSERT (only fsync\'d data survives), restart, check every acknowledged row',
  defaults: { cycles: 3, writers: 4 },
  workload: standardWorkload,
  faults: [
    { kind: 'kill', trigger: { kind: 'acks', min: 40, max: 400 }, signal: 'SIGKILL' },
    { kind: 'power-cut', loss: 'unsynced' },
  ],
  checks: ['acknowledged-writes', 'metadata', 'table-unavailable', 'flush-stuck'],
};
