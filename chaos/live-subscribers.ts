import type { ScenarioDefinition } from '../src/scenario/types.js';

/** Live queries across kills: each user's subscriber resumes with from_seq_id after every restart. */
export const liveSubscribers: ScenarioDefinition = {
  name: 'live-subscribers',
  summary: 'SIGKILL the server while writers insert, update and delete rows that WebSocket subscribers watch; each resumes with from_seq_id after the restart and must miss nothing',
  defaults: { cycles: 3, writers: 3 },
  workload: {
    namespace: 'chaos',
    tables: [],
    users: ['alice', 'bob', 'carol'],
    rowsPerInsert: { min: 1, max: 1 },
    payloadBytes: 16,
    mix: ['subscribers'],
  },
  faults: [{ kind: 'kill', trigger: { kind: 'acks', min: 20, max: 120 }, signal: 'SIGKILL' }],
  checks: ['table-unavailable'],
};
