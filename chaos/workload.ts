import type { ScenarioDefinition } from '../src/scenario/types.js';

/** The workload most scenarios share: a USER table written as three users and a SHARED table. */
export const standardWorkload: ScenarioDefinition['workload'] = {
  namespace: 'chaos',
  tables: [
    { name: 'user_rows', type: 'USER' },
    { name: 'shared_rows', type: 'SHARED' },
  ],
  users: ['alice', 'bob', 'carol'],
  rowsPerInsert: { min: 1, max: 8 },
  payloadBytes: 64,
};
