/**
 * `npm run bench`: figures, never assertions.
 *
 * 1. Flush-phase landing: for every kill-mid-flush trigger (and the random baseline), the share of
 *    kills that landed in the intended phase, and the latency from the triggering observation to
 *    the SIGKILL (p50/p99), over BENCH_FLUSHES flushes per mode (default 30).
 * 2. Workload throughput against the reference server: acknowledged rows per second during
 *    kill-mid-insert cycles, and the same through lossfs (power-loss): the FUSE layer's overhead.
 *
 * 3. Workload checkers: seconds and memory to check 1M operations over 100k keys (scripts/bench-checkers.ts).
 * 4. Detection: each workload defect of the selftest matrix over BENCH_DETECTION_SEEDS seeds (default 20)
 *    of 5 cycles: the share caught within 5 cycles (target >= 95%) and the cycle of the first catch.
 * 5. Client: the workload client's acknowledged requests/s and CPU per request against autocannon's,
 *    on the same endpoint at the same concurrency (scripts/bench/client.ts).
 * 6. Restart overhead: a campaign's kill→ready per cycle against a bare kill -9 + restart-to-ready on
 *    the same data, for the reference server and kalamdb-server when it is there (scripts/bench/restart.ts).
 * 7. Flush-phase triggers on one server per target, BENCH_TRIGGER_SAMPLES flushes per phase (default 100), with
 *    their latency from the server's own syscall (strace) to the signal: scripts/bench/flush-triggers.ts.
 * 8. Scale (scripts/bench/scale.ts): 1M acknowledged ids verified (seconds, bytes per id held), and
 *    1M rows read back from the reference server (seconds).
 *
 * `npm run bench -- --only restart` (or BENCH_ONLY=restart) runs one section; several: `--only landing,triggers`.
 * Environment: BENCH_ONLY (landing,triggers,throughput,checkers,detection,client,restart,scale), BENCH_FLUSHES (flushes per mode), BENCH_SEED, BENCH_OUT (run folders; a temp folder by default),
 * BENCH_KALAMDB_BIN (the real binary for the triggers section; default .tmp/kalamdb/kalamdb-server), BENCH_VERIFY_IDS, BENCH_READ_ROWS (scale sizes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIOS } from '../chaos/index.js';
import { buildCampaignConfig } from '../src/cli/options.js';
import { FLUSH_PHASES, type FlushPhase } from '../src/nemesis/flush-phase.js';
import { detectSyscallInjection } from '../src/nemesis/strace.js';
import { detectPowerLoss } from '../src/power-loss/lossfs.js';
import { DEFECTS } from '../src/reference-server/defects.js';
import type { RunResult } from '../src/report/result.js';
import { runCampaign } from '../src/run/campaign.js';
import { benchCheckers } from './bench-checkers.js';
import { clientVersusAutocannon } from './bench/client.js';
import { detectionRates } from './bench/detection.js';
import { restartOverhead } from './bench/restart.js';
import { benchReadBack, benchVerify } from './bench/scale.js';
import { flushTriggers } from './bench/trigger-report.js';

const flushes = Number(process.env.BENCH_FLUSHES ?? 30);
const seed = String(process.env.BENCH_SEED ?? 20261125);
const out = process.env.BENCH_OUT ?? mkdtempSync(join(tmpdir(), 'kalam-chaos-bench-'));
const keepOut = process.env.BENCH_OUT !== undefined;

function scenario(name: string) {
  const found = SCENARIOS.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}

async function campaign(name: string, flags: Record<string, string | boolean | string[]>): Promise<RunResult> {
  const config = buildCampaignConfig(scenario(name), { target: 'reference', auth: 'bearer', out, seed, workload: 'append', ...flags }, Object.keys(DEFECTS));
  const result = await runCampaign(config);
  // A flush kill that missed its phase makes a run inconclusive; the figures still count.
  if (result.verdict !== 'pass' && result.verdict !== 'inconclusive') throw new Error(`${name} ${JSON.stringify(flags)} ended ${result.verdict}: ${JSON.stringify(result.error ?? result.violations[0])}`);
  return result;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

async function flushLanding(): Promise<void> {
  const modes: { phase: FlushPhase; precise: boolean }[] = FLUSH_PHASES.map((phase) => ({ phase, precise: false }));
  const strace = await detectSyscallInjection();
  if (strace.available) modes.push({ phase: 'tmp-written', precise: true }, { phase: 'segment-renamed', precise: true });
  else console.log(`syscall-precise modes skipped: ${strace.reason}`);

  console.log(`\nFlush-phase landing over ${flushes} flushes per mode (reference server, --flush-delay-ms 0, seed ${seed})`);
  console.log('mode                       trigger(s)            landed as intended   latency p50 ms   p99 ms   landed phases');
  for (const mode of modes) {
    const result = await campaign('kill-mid-flush', { phase: mode.phase, cycles: String(flushes), ...(mode.precise ? { precise: true } : {}) });
    const kills = result.cycles.flatMap((cycle) => (cycle.flush ? [cycle.flush] : []));
    const landed = new Map<string, number>();
    for (const kill of kills) landed.set(kill.landed ?? '?', (landed.get(kill.landed ?? '?') ?? 0) + 1);
    const hits = kills.filter((kill) => kill.asIntended).length;
    const latencies = kills.flatMap((kill) => (kill.triggerLatencyMs !== undefined ? [kill.triggerLatencyMs] : []));
    const triggers = [...new Set(kills.map((kill) => kill.trigger))].join(',');
    const label = `${mode.phase}${mode.precise ? ' (precise)' : ''}`;
    const share = mode.phase === 'random' ? 'n/a (baseline)' : `${hits}/${kills.length} = ${fmt((100 * hits) / Math.max(1, kills.length), 0)}%`;
    console.log(
      `${label.padEnd(27)}${triggers.padEnd(22)}${share.padEnd(21)}${fmt(percentile(latencies, 50)).padStart(14)}${fmt(percentile(latencies, 99)).padStart(9)}   ` +
        [...landed].map(([phase, count]) => `${phase}:${count}`).join(' '),
    );
  }
}

/** Acknowledged rows per second: 5 cycles whose kill comes 3 s after the writers start. */
async function insertThroughput(scenarioName: string): Promise<number> {
  const result = await campaign(scenarioName, { cycles: '5', trigger: 'delay:3000' });
  const rows = result.totals.rows.acknowledged;
  return rows / ((5 * 3000) / 1000);
}

async function throughput(): Promise<void> {
  const direct = await insertThroughput('kill-mid-insert');
  console.log(`\nkill-mid-insert workload: ${fmt(direct, 0)} acknowledged rows/s (4 writers, group-committed fdatasync WAL, 5 cycles of 3 s)`);
  const lossfs = await detectPowerLoss();
  if (!lossfs.available) {
    console.log(`power-loss overhead skipped: ${lossfs.reason}`);
    return;
  }
  const mounted = await insertThroughput('power-loss');
  console.log(`power-loss workload through lossfs: ${fmt(mounted, 0)} acknowledged rows/s = ${fmt((100 * (direct - mounted)) / direct, 0)}% overhead of the FUSE layer`);
}

const SECTIONS = ['landing', 'triggers', 'throughput', 'checkers', 'detection', 'client', 'restart', 'scale'];
const onlyFlag = process.argv.indexOf('--only');
const only = onlyFlag === -1 ? process.env.BENCH_ONLY : process.argv[onlyFlag + 1];
const parts = only ? only.split(',') : SECTIONS;
const unknown = parts.filter((part) => !SECTIONS.includes(part));
if (unknown.length > 0) throw new Error(`unknown bench section(s) ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
try {
  if (parts.includes('landing')) await flushLanding();
  if (parts.includes('triggers')) await flushTriggers(out, seed);
  if (parts.includes('throughput')) await throughput();
  if (parts.includes('checkers')) {
    console.log('\nWorkload checkers over synthetic histories (targets: < 2 s and < 200 MB for 1M operations over 100k keys)');
    for (const line of benchCheckers()) console.log(line);
  }
  if (parts.includes('detection')) await detectionRates(out);
  if (parts.includes('client')) await clientVersusAutocannon(out, seed);
  if (parts.includes('restart')) await restartOverhead(out, seed);
  if (parts.includes('scale')) {
    console.log('\nScale: the acknowledged-writes check and the read-back at a million rows');
    for (const line of benchVerify()) console.log(line);
    for (const line of await benchReadBack()) console.log(line);
  }
} finally {
  if (!keepOut) rmSync(out, { recursive: true, force: true });
}
