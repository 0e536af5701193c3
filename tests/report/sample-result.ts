import type { RunResult } from '../../src/report/result.js';

/** A hand-made result with text that needs escaping everywhere it can appear. */
export function sampleResult(): RunResult {
  const lost = { kind: 'lost' as const, table: 'chaos.user_<rows> & "co"', partition: "al'ice", ids: [7, 8, 9] };
  return {
    schemaVersion: 1,
    tool: { name: 'kalam-chaos', version: '0.1.0' },
    scenario: 'kill-mid-insert',
    seed: 5,
    verdict: 'fail',
    exitCode: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:03.000Z',
    durationMs: 3000,
    target: { kind: 'reference', command: 'node <server>.js', auth: 'bearer', dataDir: '/tmp/x/data', defects: ['ack-before-write'] },
    parameters: { cycles: 2, nemesis: { kind: 'kill-mid-insert', trigger: { kind: 'acks', min: 1, max: 2 }, signal: 'SIGKILL' } },
    schedule: [{ kind: 'after-acks', acks: 1 }, { kind: 'after-acks', acks: 2 }],
    cycles: [1, 2].map((cycle) => ({
      cycle,
      trigger: { kind: 'after-acks' as const, acks: cycle },
      fault: { signal: 'SIGKILL', acksThisCycle: cycle, inFlight: 2, atMs: 1000 * cycle, delivered: true },
      rows: { pending: 0, acknowledged: 10 * cycle, failed: 0, indeterminate: 1 },
      restart: { incarnation: cycle, readyMs: 100 },
      checks: [
        { check: 'acknowledged-writes', cycle, ok: cycle !== 1, violations: cycle === 1 ? [lost] : [] },
        { check: 'metadata', cycle, ok: true, violations: [] },
      ],
    })) as RunResult['cycles'],
    totals: { requests: 20, rows: { pending: 0, acknowledged: 30, failed: 0, indeterminate: 2 } },
    violations: [
      { cycle: 1, check: 'acknowledged-writes', violation: lost },
      { cycle: 2, check: 'availability', violation: { kind: 'unavailable', detail: 'writers <gave up>' } },
    ],
    error: { step: 'cycle 2: checks <x>', message: 'boom & <bust> "quoted" \u0001' },
    files: { history: '/tmp/x/history.ndjson', servers: [] },
  };
}
