/**
 * The bench's flush-trigger section: every phase on each target (the reference server, and the real
 * binary when BENCH_KALAMDB_BIN or .tmp/kalamdb/kalamdb-server is there), printed against the targets.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FLUSH_PHASES, type FlushPhase, type LandedPhase } from '../../src/nemesis/flush-phase.js';
import { detectSyscallInjection } from '../../src/nemesis/strace.js';
import type { TargetSpec } from '../../src/target/index.js';
import { seededRandom } from '../../src/util/random.js';
import { probeFlushTriggers, type ProbeRun } from './flush-triggers.js';

const HIT_TARGET = 0.95;
const RATIO_TARGET = 10;
const P99_TARGET_MS = 5;

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const spread = (values: readonly number[]) => `${fmt(percentile(values, 50))}/${fmt(percentile(values, 95))}/${fmt(percentile(values, 99))}`;

/** Where a hit of `phase` lands: hot-deleting cannot be told from manifest-written on disk. */
const landsIn = (phase: FlushPhase): LandedPhase => (phase === 'hot-deleting' ? 'manifest-written' : (phase as LandedPhase));

function print(label: string, run: ProbeRun, samples: number): void {
  const random = run.samples.filter((sample) => sample.phase === 'random');
  console.log(`\n${label}: ${samples} flushes per phase, writers inserting into the flushed table; freeze (SIGSTOP) instead of kill, see scripts/bench/flush-triggers.ts`);
  console.log('phase              fired    as intended    random lands there   ratio   thread p50/p95/p99 ms   event→signal p50/p95/p99 (max) ms   landed');
  for (const phase of FLUSH_PHASES) {
    const mine = run.samples.filter((sample) => sample.phase === phase);
    if (mine.length === 0) continue;
    const landed = new Map<string, number>();
    for (const sample of mine) landed.set(sample.landed, (landed.get(sample.landed) ?? 0) + 1);
    const landedText = [...landed].map(([name, count]) => `${name}:${count}`).join(' ');
    if (phase === 'random') {
      console.log(`${'random'.padEnd(19)}${String(mine.filter((s) => s.fired).length).padEnd(9)}${'(baseline)'.padEnd(15)}${''.padEnd(21)}${''.padEnd(8)}${''.padEnd(24)}${''.padEnd(36)}${landedText}`);
      continue;
    }
    const hitShare = mine.filter((sample) => sample.asIntended).length / mine.length;
    const randomShare = random.length ? random.filter((sample) => sample.landed === landsIn(phase)).length / random.length : Number.NaN;
    const ratio = randomShare > 0 ? hitShare / randomShare : random.length ? Number.POSITIVE_INFINITY : Number.NaN;
    const thread = mine.flatMap((sample) => (sample.threadLatencyMs !== undefined ? [sample.threadLatencyMs] : []));
    const traced = run.straceLatencies[phase] ?? [];
    const marks = [
      hitShare >= HIT_TARGET ? '' : ` <${HIT_TARGET * 100}%`,
      ratio >= RATIO_TARGET ? '' : ` <${RATIO_TARGET}x`,
      traced.length === 0 || percentile(traced, 99) < P99_TARGET_MS ? '' : ` p99>=${P99_TARGET_MS}ms`,
    ].join('');
    console.log(
      `${phase.padEnd(19)}${String(mine.filter((s) => s.fired).length).padEnd(9)}${`${fmt(100 * hitShare, 0)}%`.padEnd(15)}${(random.length ? `${fmt(100 * randomShare, 0)}%` : '-').padEnd(21)}` +
        `${(Number.isFinite(ratio) ? `${fmt(ratio, 1)}x` : ratio > 0 ? 'inf' : '-').padEnd(8)}${spread(thread).padEnd(24)}` +
        `${traced.length ? `${spread(traced)} (${fmt(Math.max(...traced))}) n=${traced.length}` : '-'.padEnd(10)}`.padEnd(36) +
        `${landedText}${marks}`,
    );
  }
}

export async function flushTriggers(out: string, seed: string): Promise<void> {
  const samples = Number(process.env.BENCH_TRIGGER_SAMPLES ?? 100);
  const phases = process.env.BENCH_TRIGGER_PHASES ? (process.env.BENCH_TRIGGER_PHASES.split(',') as FlushPhase[]) : FLUSH_PHASES;
  const writers = Number(process.env.BENCH_TRIGGER_WRITERS ?? 4);
  const strace = process.env.BENCH_TRIGGER_STRACE === '0' ? { available: false as const, reason: 'BENCH_TRIGGER_STRACE=0' } : await detectSyscallInjection();
  console.log(
    `\nFlush-phase triggers (targets: every phase >= ${HIT_TARGET * 100}% in its phase and >= ${RATIO_TARGET}x the share a random 0-120 ms delay lands there; ` +
      `event→signal p99 < ${P99_TARGET_MS} ms over >= 100 samples, from the server's syscall as strace saw it)`,
  );
  if (!strace.available) console.log(`  event→signal latency skipped: ${strace.reason}`);
  const bin = process.env.BENCH_KALAMDB_BIN ?? resolve('.tmp/kalamdb/kalamdb-server');
  const kinds = (process.env.BENCH_TRIGGER_TARGETS ?? 'reference,kalamdb').split(',');
  const targets: { label: string; spec: TargetSpec }[] = [];
  if (kinds.includes('reference')) targets.push({ label: 'reference server', spec: { kind: 'reference', defects: [], auth: 'bearer' } });
  if (kinds.includes('kalamdb') && existsSync(bin)) targets.push({ label: `kalamdb-server (${bin})`, spec: { kind: 'kalamdb', serverBin: bin, auth: 'bearer', syncWrites: false } });
  else if (kinds.includes('kalamdb')) console.log(`  kalamdb-server skipped: no binary at ${bin} (BENCH_KALAMDB_BIN)`);
  for (const [index, target] of targets.entries()) {
    const random = seededRandom(Number(seed) + index);
    const delays = Array.from({ length: samples * phases.length }, () => random.int(0, 120));
    const started = performance.now();
    let run = await probeFlushTriggers({ spec: target.spec, dir: join(out, `probe-${index}`), phases, samples, writers, strace: false, randomDelayMs: (i) => delays[i]! });
    if (strace.available) {
      // One traced server per phase, tracing only that phase's syscalls.
      const straceLatencies: Partial<Record<FlushPhase, number[]>> = {};
      for (const phase of phases.filter((candidate) => candidate !== 'random')) {
        const traced = await probeFlushTriggers({ spec: target.spec, dir: join(out, `probe-${index}-${phase}`), phases: [phase], samples, writers, strace: true, randomDelayMs: () => 0 });
        straceLatencies[phase] = traced.straceLatencies[phase] ?? [];
      }
      run = { ...run, straceLatencies };
    }
    print(`${target.label} (${fmt((performance.now() - started) / 1000, 0)} s)`, run, samples);
  }
}
