/**
 * `npm run bench` part 3: each workload checker over a synthetic history of BENCH_CHECK_OPS
 * operations (default 1M) over BENCH_CHECK_KEYS keys (default 100k): seconds, and the heap the
 * checker holds at the end (after a GC), against the targets < 2 s and < 200 MB. Figures only.
 */
import { workloadDefinition } from '../src/workload/registry.js';
import type { RunStart } from '../src/run/seams.js';
import type { EventOf } from '../src/vocabulary/events.js';
import { CHECKER_HISTORIES, type HistoryShape } from './bench/checker-histories.js';

const shape: HistoryShape = {
  operations: Number(process.env.BENCH_CHECK_OPS ?? 1_000_000),
  keys: Number(process.env.BENCH_CHECK_KEYS ?? 100_000),
  cycles: 10,
};

const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

const start = { type: 'run-start', scenario: 'bench', seed: 1, options: {}, target: {} } as EventOf<'run-start'>;

export function benchCheckers(): string[] {
  const lines: string[] = [];
  if (!gc) lines.push('  (run node with --expose-gc for exact heap figures)');
  for (const [name, history] of Object.entries(CHECKER_HISTORIES)) {
    const checker = workloadDefinition(name as never).checker;
    if (!checker || !history) continue;
    // Events are made as they are judged, as `check` streams history.ndjson; making them alone is timed apart and taken off.
    let events = 0;
    const making = performance.now();
    for (const _ of history.events(shape)) events++;
    const makingSeconds = (performance.now() - making) / 1000;
    const before = heapMb();
    const started = performance.now();
    const judge = checker.judge({ event: start, parameters: { workload: { namespace: 'chaos', tables: [], users: [], writers: 4, rowsPerInsert: { min: 1, max: 8 }, payloadBytes: 64 } } } as unknown as RunStart);
    let violations = 0;
    for (const event of history.events(shape)) {
      for (const output of judge.observe(event)) violations += output.violations.length;
    }
    for (const output of judge.finish()) violations += output.violations.length;
    const seconds = (performance.now() - started) / 1000 - makingSeconds;
    const held = heapMb() - before;
    lines.push(
      `  ${name.padEnd(10)} ${shape.operations} operations over ${history.keys(shape)} keys (${events} events): ${seconds.toFixed(2)} s (target < 2 s), ${held.toFixed(0)} MB held (target < 200 MB), ${violations} violation(s) (expected 0)`,
    );
    void judge;
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('workload checkers:');
  for (const line of benchCheckers()) console.log(line);
}
