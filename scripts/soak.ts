/**
 * scripts/soak [CYCLES] — not part of CI. Runs campaigns against the correct reference server until
 * CYCLES crash-restart cycles have run (default 200), rotating scenarios and seeds, and reports:
 *   false positives: violations or errors against a server that has no defect (expected 0);
 *   leftover processes: servers or lossfs layers of a finished campaign still alive (expected 0);
 *   the soak's own open files, RSS, heap and child processes at the start, every 10 campaigns and the end (expected flat).
 * The run folder of every campaign that did not pass is kept (its path is printed); the others are
 * removed as the soak goes. Exit 0 only when false positives and leftovers are both 0.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIOS } from '../chaos/index.js';
import { buildCampaignConfig, type RunFlags } from '../src/cli/options.js';
import { DEFECTS } from '../src/reference-server/defects.js';
import { runCampaign } from '../src/run/campaign.js';
import { detectPowerLoss } from '../src/power-loss/lossfs.js';
import { installInterruptHandler } from '../src/cli/interrupts.js';

const target = Number(process.argv[2] ?? process.env.SOAK_CYCLES ?? 200);
const out = mkdtempSync(join(tmpdir(), 'kalam-chaos-soak-'));
const ROTATION: { scenario: string; flags: Partial<RunFlags>; cycles: number }[] = [
  { scenario: 'kill-mid-insert', flags: {}, cycles: 10 },
  { scenario: 'kill-mid-flush', flags: { phase: 'random' }, cycles: 5 },
  { scenario: 'kill-mid-flush', flags: { phase: 'tmp-written' }, cycles: 5 },
  { scenario: 'kill-mid-flush', flags: { phase: 'segment-renamed' }, cycles: 5 },
  { scenario: 'kill-mid-flush', flags: { phase: 'manifest-written' }, cycles: 5 },
  { scenario: 'kill-mid-flush', flags: { phase: 'hot-deleting' }, cycles: 5 },
  { scenario: 'kill-mid-flush', flags: { phase: 'job-running' }, cycles: 5 },
  { scenario: 'corrupt-all', flags: {}, cycles: 17 },
  { scenario: 'power-loss', flags: {}, cycles: 5 },
];

/** Processes whose command line names this soak's folder: servers, strace, lossfs. */
function leftovers(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(out) && Number(pid) !== process.pid) found.push(`${pid}: ${cmdline.slice(0, 160)}`);
    } catch {
      // gone already
    }
  }
  return found;
}

/** The soak process's own resources: what must not grow with cycles. */
function resources(): { fds: number; rssMiB: number; heapMiB: number; children: number } {
  const children = readdirSync('/proc').filter((name) => {
    if (!/^\d+$/.test(name)) return false;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
    } catch {
      return false;
    }
  }).length;
  const memory = process.memoryUsage();
  return { fds: readdirSync('/proc/self/fd').length, rssMiB: Math.round(memory.rss / 2 ** 20), heapMiB: Math.round(memory.heapUsed / 2 ** 20), children };
}
const describeResources = (r: ReturnType<typeof resources>) => `${r.fds} open fds, RSS ${r.rssMiB} MiB, heap ${r.heapMiB} MiB, ${r.children} child processes`;

const interrupt = new AbortController();
installInterruptHandler(interrupt, 'soak');
const powerLoss = await detectPowerLoss();
const kept: string[] = [];
const atStart = resources();
console.log(`soak: resources at start: ${describeResources(atStart)}`);
let cycles = 0;
let campaigns = 0;
const falsePositives: string[] = [];
const inconclusive: string[] = [];
const leftoverReports: string[] = [];
const started = Date.now();
try {
  for (let round = 0; cycles < target && !interrupt.signal.aborted; round++) {
    for (const entry of ROTATION) {
      if (cycles >= target || interrupt.signal.aborted) break;
      if (entry.scenario === 'power-loss' && !powerLoss.available) continue;
      const scenario = SCENARIOS.find((candidate) => candidate.name === entry.scenario)!;
      const seed = 1000 + campaigns;
      const count = Math.min(entry.cycles, target - cycles);
      const flags = { target: 'reference', auth: 'bearer', out, seed: String(seed), cycles: String(count), ...entry.flags } as RunFlags;
      const label = `${entry.scenario} ${JSON.stringify(entry.flags)} seed ${seed}`;
      let result;
      try {
        result = await runCampaign(buildCampaignConfig(scenario, flags, Object.keys(DEFECTS)), { signal: interrupt.signal });
      } catch (error) {
        campaigns++;
        falsePositives.push(`${label}: the tool failed: ${(error as Error).message}`);
        continue;
      }
      campaigns++;
      cycles += result.cycles.length;
      if (result.verdict === 'interrupted') break;
      if (result.verdict === 'inconclusive') inconclusive.push(`${label}: ${result.coverage.map((gap) => gap.kind).join(', ')}`);
      else if (result.verdict !== 'pass') {
        falsePositives.push(`${label}: ${result.verdict} ${JSON.stringify(result.error ?? result.violations.slice(0, 2))}`);
      }
      const alive = leftovers();
      if (alive.length > 0) leftoverReports.push(`${label}: ${alive.join('; ')}`);
      const runDir = dirname(result.files.history);
      if (result.verdict === 'pass' && alive.length === 0) rmSync(runDir, { recursive: true, force: true });
      else kept.push(`${label}: ${result.verdict}: ${runDir}`);
      if (campaigns % 10 === 0) process.stdout.write(`resources after ${campaigns} campaigns: ${describeResources(resources())}\n`);
      process.stdout.write(`${cycles}/${target} cycles, ${campaigns} campaigns, ${falsePositives.length} false positive(s), ${leftoverReports.length} leftover report(s) — ${label}: ${result.verdict}\n`);
    }
  }
} finally {
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(`\nsoak: ${cycles} cycles in ${campaigns} campaigns, ${minutes} min`);
  console.log(`false positives: ${falsePositives.length}${falsePositives.length ? '\n  ' + falsePositives.join('\n  ') : ''}`);
  console.log(`inconclusive (tested too little, not a false positive): ${inconclusive.length}${inconclusive.length ? '\n  ' + inconclusive.join('\n  ') : ''}`);
  console.log(`leftover processes: ${leftoverReports.length}${leftoverReports.length ? '\n  ' + leftoverReports.join('\n  ') : ''}`);
  if (!powerLoss.available) console.log(`power-loss campaigns skipped: ${powerLoss.reason}`);
  if (typeof globalThis.gc === 'function') globalThis.gc();
  // Sampling handles age out a second or two after their server: wait for that, with a deadline.
  const settleBy = Date.now() + 5_000;
  let atEnd = resources();
  while (atEnd.fds > atStart.fds && Date.now() < settleBy) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    atEnd = resources();
  }
  console.log(`resources at start: ${describeResources(atStart)}`);
  console.log(`resources at end:   ${describeResources(atEnd)}`);
  if (kept.length > 0) console.log(`run folders kept (did not pass):\n  ${kept.join('\n  ')}`);
  else rmSync(out, { recursive: true, force: true });
}
process.exit(falsePositives.length === 0 && leftoverReports.length === 0 ? 0 : 1);
