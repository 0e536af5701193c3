import type { ScenarioDefinition } from '../src/scenario/types.js';
import { standardWorkload } from './workload.js';

export const killMidFlush: ScenarioDefinition = {
  name: 'kill-mid-flush',
  summary: 'request STORAGE FLUSH TABLE while writers insert, SIGKILL at a chosen flush phase (--phase), restart, check rows and the cold tier on disk',
  defaults: { cycles: 3, writers: 4 },
  workload: standardWorkload,
  faults: [
    {
      kind: 'flush-kill',
      warmup: { kind: 'acks', min: 20, max: 120 },
      phase: 'random',
      randomDelayMs: { min: 0, max: 120 },
      precision: 'watch',
      signal: 'SIGKILL',
    },
  ],
  checks: ['acknowledged-writes', 'metadata', 'storage', 'table-unavailable', 'flush-stuck'],
};
