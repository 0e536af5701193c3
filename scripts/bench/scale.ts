/**
 * `npm run bench` part "scale": the acknowledged-writes check and the read-back at a million rows.
 *
 * 1. verify: BENCH_VERIFY_IDS (default 1M) acknowledged ids as the append writers make them (4
 *    writers, 1-8 rows per INSERT, a USER table of 3 users and a SHARED table), one check
 *    read-back per scope, with 3 ids lost, 2 doubled and 1 never sent; seconds inside the
 *    acknowledged-writes judge over that history (the events are made lazily, untimed) and the heap plus array buffers it holds at the end (after a GC) per id. Targets: < 2 s, < 32 B/id.
 * 2. read-back: BENCH_READ_ROWS (default 1M) rows loaded into one SHARED table of the reference
 *    server with 10,000-row INSERTs, then readScope (keyset pages of 1000, payloads checked) timed
 *    alone. Target: < 60 s.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acknowledgedWrites } from '../../src/checker/acknowledged-writes/index.js';
import { readScope } from '../../src/checker/read-scope.js';
import { createSqlClient } from '../../src/client/sql-client.js';
import { discardHistory } from '../../src/history/history.js';
import { packIds } from '../../src/history/packed-ids.js';
import type { RunStart } from '../../src/run/seams.js';
import { generateCredentials } from '../../src/target/credentials.js';
import { findFreePort } from '../../src/target/ports.js';
import { waitUntilReady } from '../../src/target/readiness.js';
import { createReferenceTarget } from '../../src/target/reference.js';
import { launchServer, stopServer } from '../../src/target/supervisor.js';
import { seededRandom } from '../../src/util/random.js';
import type { EventOf, HistoryEvent } from '../../src/vocabulary/events.js';
import type { Violation } from '../../src/vocabulary/violations.js';
import { payloadFor } from '../../src/workload/insert-workload.js';

const gc = (globalThis as { gc?: () => void }).gc;
const heldBytes = () => {
  // Twice: array buffers are freed by the first collection's finalizers.
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};

const elapsedCpu = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
const cpuSeconds = (work: () => void) => {
  const since = process.cpuUsage();
  work();
  return elapsedCpu(since);
};

const SCOPES = [
  { table: 'chaos.user_rows', partition: 'alice' },
  { table: 'chaos.user_rows', partition: 'bob' },
  { table: 'chaos.user_rows', partition: 'carol' },
  { table: 'chaos.shared_rows', partition: null },
] as const;
const WRITERS = 4;

/** One cycle of append traffic, every request acknowledged, then the check read-back of each scope (with the seeded damage) and the cycle's end. */
function* millionIdHistory(acknowledgedIds: number): Generator<HistoryEvent> {
  const random = seededRandom(20261203);
  const sent: number[][] = SCOPES.map(() => []);
  const rowsSent = new Array<number>(WRITERS).fill(0);
  let requestId = 0;
  let total = 0;
  while (total < acknowledgedIds) {
    const writer = requestId % WRITERS;
    const scope = random.int(0, SCOPES.length - 1);
    const ids = Array.from({ length: Math.min(random.int(1, 8), acknowledgedIds - total) }, () => rowsSent[writer]!++ * WRITERS + writer + 1);
    requestId++;
    total += ids.length;
    for (const id of ids) sent[scope]!.push(id);
    yield { type: 'request', cycle: 1, requestId, writer, ...SCOPES[scope]!, ids };
    yield { type: 'response', cycle: 1, requestId, outcome: 'acknowledged', latencyMs: 1 };
  }
  yield { type: 'writers-stopped', cycle: 1, acknowledged: requestId, failed: 0, indeterminate: 0 };
  for (const [index, scope] of SCOPES.entries()) {
    const read = sent[index]!.sort((a, b) => a - b);
    sent[index] = [];
    if (index === 0) read.splice(1000, 3); // lost
    if (index === 1) read.splice(2000, 0, read[2000]!, read[3000]!); // doubled (kept in order below)
    if (index === 2) read.push(10 * acknowledgedIds + 1); // never sent
    read.sort((a, b) => a - b);
    const distinct = new Set(read).size;
    yield { type: 'read-back', cycle: 1, incarnation: 2, purpose: 'check', ...scope, packedIds: packIds(read)!, countStar: distinct, payloadMismatch: [] };
  }
  yield { type: 'cycle-end', cycle: 1 };
}

export function benchVerify(): string[] {
  const ids = Number(process.env.BENCH_VERIFY_IDS ?? 1_000_000);
  const start = { type: 'run-start', scenario: 'bench', seed: 1, options: {}, target: {} } as EventOf<'run-start'>;
  // CPU time of making the events alone, to take off the judged pass's: a figure other processes' load disturbs less than wall time.
  const makingCpu = cpuSeconds(() => {
    for (const _ of millionIdHistory(ids));
  });
  const before = heldBytes();
  const cpuBefore = process.cpuUsage();
  // Events are made as they are judged, as `check` streams history.ndjson; only the judge's calls are timed.
  let judging = 0;
  let events = 0;
  const judge = acknowledgedWrites.judge({ event: start, parameters: {} } as unknown as RunStart);
  const violations: Violation[] = [];
  for (const event of millionIdHistory(ids)) {
    events++;
    const started = performance.now();
    const outputs = judge.observe(event);
    judging += performance.now() - started;
    for (const output of outputs) violations.push(...output.violations);
  }
  for (const output of judge.finish()) violations.push(...output.violations);
  const seconds = judging / 1000;
  const cpu = elapsedCpu(cpuBefore) - makingCpu;
  const held = heldBytes() - before;
  const found = violations.map((violation) => `${violation.kind} ${'ids' in violation ? violation.ids.length : ''}`.trim()).join(', ');
  void judge;
  return [
    `  ${ids} acknowledged ids verified in ${seconds.toFixed(2)} s and ${(held / ids).toFixed(1)} B/id held (targets < 2 s, < 32 B/id; ${cpu.toFixed(2)} s of CPU; ${events} events; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`,
    `  found: ${found || 'nothing'} (seeded: lost 3, duplicate 2, phantom 1)${gc ? '' : ' (run node with --expose-gc for exact heap figures)'}`,
  ];
}

export async function benchReadBack(): Promise<string[]> {
  const rows = Number(process.env.BENCH_READ_ROWS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'kalam-chaos-bench-read-'));
  const credentials = generateCredentials({});
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const target = createReferenceTarget({ kind: 'reference', defects: [], auth: 'bearer' }, dataDir, credentials);
  const incarnationDir = join(dir, 'server');
  const plan = await target.plan({ index: 0, dir: incarnationDir, port: await findFreePort() });
  const server = await launchServer(plan, { incarnation: 0, dir: incarnationDir, history: discardHistory(), sampleIntervalMs: 0 });
  const client = createSqlClient({ baseUrl: server.baseUrl, auth: 'bearer', credentials, requestTimeoutMs: 120_000 });
  try {
    await waitUntilReady(server, client, 30_000);
    await client.query('CREATE NAMESPACE IF NOT EXISTS chaos');
    await client.query("CREATE TABLE chaos.bench (id BIGINT PRIMARY KEY, payload TEXT NOT NULL, writer INT NOT NULL) WITH (TYPE = 'SHARED')");
    const seed = 1;
    const payloadOf = (id: number) => payloadFor(seed, id, 64);
    const loading = performance.now();
    for (let first = 1; first <= rows; first += 10_000) {
      const values: string[] = [];
      for (let id = first; id < Math.min(rows + 1, first + 10_000); id++) values.push(`(${id}, '${payloadOf(id)}', 0)`);
      await client.query(`INSERT INTO chaos.bench (id, payload, writer) VALUES ${values.join(', ')}`);
    }
    const loadSeconds = (performance.now() - loading) / 1000;
    const reading = performance.now();
    const read = await readScope(client, { table: 'chaos.bench', partition: null }, 1000, payloadOf);
    const readSeconds = (performance.now() - reading) / 1000;
    const complete = read.ids.length === rows && read.countStar === rows && read.payloadMismatch.length === 0;
    return [
      `  ${rows} rows read back from the reference server in ${readSeconds.toFixed(1)} s (target < 60 s; keyset pages of 1000, payloads checked; ${complete ? 'every row once, as sent' : `INCOMPLETE: ${read.ids.length} ids, COUNT(*) ${read.countStar}, ${read.payloadMismatch.length} payload mismatches`}; loading them took ${loadSeconds.toFixed(1)} s)`,
    ];
  } finally {
    await client.close().catch(() => {});
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of benchVerify()) console.log(line);
  for (const line of await benchReadBack()) console.log(line);
}
