import type { ScenarioDefinition } from '../src/scenario/types.js';
import { standardWorkload } from './workload.js';

export const upgradeScenario: ScenarioDefinition = {
  name: 'upgrade',
  summary: 'write on an older release (--from-bin or --from-format), stop it, start the newer one on the same data directory: every row there or a clear refusal; then crash the newer one',
  defaults: { cycles: 3, writers: 4 },
  workload: standardWorkload,
  faults: [
    {
      kind: 'upgrade',
      stop: 'clean',
      killFirstStart: false,
      downgrade: false,
      warmup: { kind: 'acks', min: 40, max: 200 },
      accept: ['upgraded', 'refused'],
      acceptDowngrade: ['upgraded', 'refused'],
    },
  ],
  checks: ['acknowledged-writes', 'metadata', 'table-unavailable', 'upgrade-outcome'],
};
