import type { ScenarioDefinition } from '../src/scenario/types.js';

export const killMidInsert: ScenarioDefinition = {
  name: 'kill-mid-insert',
  summary: 'SIGKILL the server while concurrent writers insert into a USER and a SHARED table, restart, check every acknowledged row',
  defaults: { cycles: 3, writers: 4 },
  workload: {
    namespace: 'chaos',
    tables: [
      { name: 'user_rows', type: 'USER' },
      { name: 'shared_rows', type: 'SHARED' },
    ],
    users: ['alice', 'bob', 'carol'],
    rowsPerInsert: { min: 1, max: 8 },
    payloadBytes: 64,
  },
  nemesis: { kind: 'kill-mid-insert', trigger: { kind: 'acks', min: 40, max: 400 }, signal: 'SIGKILL' },
  checks: ['acknowledged-writes', 'metadata'],
};
