import type { CycleResult, RunResult } from '../../src/report/result.js';

const faults = [{ kind: 'kill', trigger: { kind: 'acks', min: 1, max: 2 }, signal: 'SIGKILL' }];

/** A hand-made result with text that needs escaping everywhere it can appear. */
export function sampleResult(): RunResult {
  const lost = { kind: 'lost' as const, table: 'chaos.user_<rows> & "co"', partition: "al'ice", ids: [7, 8, 9] };
  return {
    schemaVersion: 2,
    tool: { name: 'kalam-chaos', version: '0.1.0' },
    scenario: 'kill-mid-insert',
    seed: 5,
    verdict: 'fail',
    exitCode: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:03.000Z',
    durationMs: 3000,
    target: { kind: 'reference', command: 'node <server>.js', auth: 'bearer', dataDir: '/tmp/x/data', defects: ['ack-before-write'] },
    parameters: { cycles: 2, faults },
    schedule: [{ kind: 'after-acks', acks: 1 }, { kind: 'after-acks', acks: 2 }],
    cycles: [1, 2].map(
      (cycle): CycleResult => ({
        cycle,
        trigger: { kind: 'after-acks', acks: cycle },
        fault: { signal: 'SIGKILL', acksThisCycle: cycle, inFlight: 2, atMs: 1000 * cycle, delivered: true },
        rows: { pending: 0, acknowledged: 10 * cycle, failed: 0, indeterminate: 1 },
        restart: { incarnation: cycle, readyMs: 100 },
        checks: [
          { check: 'acknowledged-writes', cycle, ok: cycle !== 1, violations: cycle === 1 ? 1 : 0 },
          { check: 'metadata', cycle, ok: true, violations: 0 },
        ],
      }),
    ),
    totals: { requests: 20, rows: { pending: 0, acknowledged: 30, failed: 0, indeterminate: 2 } },
    violations: [
      { id: 'V1', cycle: 1, check: 'acknowledged-writes', violation: lost, seenInCycles: [1] },
      { id: 'V2', cycle: 2, check: 'availability', violation: { kind: 'unavailable', detail: 'writers <gave up>' }, seenInCycles: [2] },
    ],
    coverage: [],
    error: { step: 'cycle 2: checks <x>', message: 'boom & <bust> "quoted" \u0001' },
    files: { history: '/tmp/x/history.ndjson', servers: [] },
  };
}

/** Three cycles, no error: rows lost in cycle 1 are still missing at the checks of cycles 2 and 3 (one record). */
export function persistingResult(): RunResult {
  const base = sampleResult();
  const lost = { kind: 'lost' as const, table: 'chaos.shared_rows', partition: null, ids: [41, 42] };
  return {
    ...base,
    parameters: { ...base.parameters, cycles: 3 },
    schedule: [1, 2, 3].map((acks) => ({ kind: 'after-acks' as const, acks })),
    cycles: [1, 2, 3].map(
      (cycle): CycleResult => ({
        cycle,
        trigger: { kind: 'after-acks', acks: cycle },
        fault: { signal: 'SIGKILL', acksThisCycle: cycle, inFlight: 1, atMs: 1000 * cycle, delivered: true },
        rows: { pending: 0, acknowledged: 10, failed: 0, indeterminate: 0 },
        restart: { incarnation: cycle, readyMs: 100 },
        checks: [
          { check: 'acknowledged-writes', cycle, ok: false, violations: 1 },
          { check: 'metadata', cycle, ok: true, violations: 0 },
        ],
      }),
    ),
    violations: [{ id: 'V1', cycle: 1, check: 'acknowledged-writes', violation: lost, seenInCycles: [1, 2, 3] }],
    coverage: [],
    error: undefined,
  };
}

/** No violation and no error, but the run tested too little: one gap for the run, one in cycle 2. */
export function inconclusiveResult(): RunResult {
  const base = sampleResult();
  const notDelivered = { cycle: 2, kind: 'fault-not-delivered' as const, detail: 'the server <had> exited & "stopped" before the kill' };
  const noAcks = { cycle: 0, kind: 'no-acknowledged-write' as const, detail: 'only 1 cycle of 2 had an acknowledged write' };
  return {
    ...base,
    verdict: 'inconclusive',
    exitCode: 3,
    cycles: base.cycles.map((cycle) => ({
      ...cycle,
      checks: cycle.checks.map((check) => ({ ...check, ok: true, violations: 0 })),
      ...(cycle.cycle === 2 ? { fault: { ...cycle.fault!, delivered: false }, gaps: [notDelivered] } : {}),
    })),
    violations: [],
    coverage: [noAcks, notDelivered],
    error: undefined,
  };
}
