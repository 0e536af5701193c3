/**
 * Restart overhead: a kill-mid-insert campaign's kill→ready (and kill→checked) per cycle, then,
 * back to back, a bare kill -9 + restart-to-ready on each cycle's crash snapshot (the same data
 * the campaign restarted on). Target: cycle overhead ≤ 1.10x bare restart.
 *
 * Environment: BENCH_RESTART_TARGETS (default reference,kalamdb), BENCH_RESTART_ROUNDS (default 2), BENCH_RESTART_CYCLES (per round; default 5, 3 against kalamdb-server), BENCH_RESTART_PAYLOAD_BYTES
 * (bytes of each row's payload, for a bigger data directory; default the workload's), BENCH_KALAMDB_BIN
 * (default .tmp/kalamdb/kalamdb-server; measured when it is there).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { SCENARIOS } from '../../chaos/index.js';
import { buildCampaignConfig, type RunFlags } from '../../src/cli/options.js';
import { DEFECTS } from '../../src/reference-server/defects.js';
import { runCampaign } from '../../src/run/campaign.js';
import { generateCredentials } from '../../src/target/credentials.js';
import { createTarget } from '../../src/target/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { bareRestart, type BareRestart } from './bare-restart.js';

const TARGET_RATIO = 1.1;

interface CycleTimes {
  readonly cycle: number;
  /** ms from the SIGKILL to: the server's exit, the writers settled, the next spawn, ready, the crash snapshot compressed (in the background), the cycle's checks done. */
  readonly exit: number;
  readonly settled: number;
  readonly snapshot: number;
  readonly spawn: number;
  readonly ready: number;
  readonly checked: number;
  readonly snapshotPath?: string;
  readonly dataBytes?: number;
}

export async function restartOverhead(out: string, seed: string): Promise<void> {
  const rounds = Number(process.env.BENCH_RESTART_ROUNDS ?? 2);
  const targets = (process.env.BENCH_RESTART_TARGETS ?? 'reference,kalamdb').split(',');
  if (targets.includes('reference')) await measure({ out, seed, rounds, cycles: Number(process.env.BENCH_RESTART_CYCLES ?? 5), targetFlags: { target: 'reference' }, label: 'reference server' });
  if (!targets.includes('kalamdb')) return;
  const serverBin = process.env.BENCH_KALAMDB_BIN ?? join(packageRoot(), '.tmp', 'kalamdb', 'kalamdb-server');
  if (!existsSync(serverBin)) {
    console.log(`  kalamdb-server skipped: no binary at ${serverBin} (scripts/unpack-kalamdb)`);
    return;
  }
  await measure({ out, seed, rounds, cycles: Number(process.env.BENCH_RESTART_CYCLES ?? 3), targetFlags: { target: 'kalamdb', serverBin }, label: `kalamdb-server (${serverBin})` });
}

interface Measurement {
  readonly out: string;
  readonly seed: string;
  readonly rounds: number;
  readonly cycles: number;
  readonly targetFlags: Partial<RunFlags>;
  readonly label: string;
}

/** Rounds of: a campaign, then a bare restart on each of its crash snapshots; the machine's drift lands on both. */
async function measure(plan: Measurement): Promise<void> {
  const load = loadavg()[0]!.toFixed(1);
  const pairs: { campaign: CycleTimes; bare: BareRestart }[] = [];
  const verdicts: string[] = [];
  for (let round = 1; round <= plan.rounds; round++) {
    const { config, runDir, verdict, credentials } = await campaignRound(plan);
    verdicts.push(verdict);
    // Each bare restart runs on the data the campaign restarted on: its crash snapshot (the cap is lifted).
    for (const times of cycleTimes(runDir).filter((cycle) => cycle.snapshotPath !== undefined)) {
      const dir = join(plan.out, `bare-${config.target.kind}-${round}-${times.cycle}`);
      const dataDir = join(dir, 'data');
      await mkdir(dataDir, { recursive: true });
      await execa('tar', ['-xzf', times.snapshotPath!, '-C', dataDir]);
      pairs.push({ campaign: times, bare: await bareRestart(createTarget(config.target, dataDir, credentials), dir, config.timeouts.readyMs) });
      await rm(dir, { recursive: true, force: true });
    }
  }
  console.log(
    `\nRestart overhead, ${plan.label}: kill-mid-insert (append), ${plan.rounds} round(s) of ${plan.cycles} cycles, seed ${plan.seed}, verdicts ${verdicts.join(',')}; ` +
      `each round a campaign, then a bare restart on each of its crash snapshots (${mib(pairs)} MiB at a kill on average); load average ${load} at the start`,
  );
  report(pairs);
}

async function campaignRound(plan: Measurement) {
  // The campaign and the bare loop share root credentials: a real server keeps root's password in its data directory.
  const credentials = { KALAM_CHAOS_ROOT_PASSWORD: randomBytes(18).toString('base64url'), KALAM_CHAOS_JWT_SECRET: randomBytes(32).toString('hex') };
  Object.assign(process.env, credentials);
  try {
    const scenario = SCENARIOS.find((candidate) => candidate.name === 'kill-mid-insert')!;
    const payloadBytes = process.env.BENCH_RESTART_PAYLOAD_BYTES;
    const flags = {
      target: 'reference',
      auth: 'bearer',
      out: plan.out,
      seed: plan.seed,
      workload: 'append',
      cycles: String(plan.cycles),
      snapshotCapMb: '100000',
      ...(payloadBytes ? { payloadBytes } : {}),
      ...plan.targetFlags,
    } as RunFlags;
    const config = buildCampaignConfig(scenario, flags, Object.keys(DEFECTS));
    const result = await runCampaign(config);
    if (result.verdict === 'error') throw new Error(`restart bench campaign (${plan.label}) ended in an error: ${result.error?.message}`);
    return { config, runDir: dirname(result.files.history), verdict: result.verdict, credentials: generateCredentials(credentials) };
  } finally {
    for (const name of Object.keys(credentials)) delete process.env[name];
  }
}

/** Per cycle, from history.ndjson's `t` (ms since the history opened). */
function cycleTimes(runDir: string): CycleTimes[] {
  const events = readFileSync(join(runDir, 'history.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as { event: string; t: number; cycle?: number; incarnation?: number; path?: string; dataBytes?: number });
  const at = (event: string, match: (e: (typeof events)[number]) => boolean) => events.find((e) => e.event === event && match(e))?.t;
  const times: CycleTimes[] = [];
  for (const kill of events.filter((event) => event.event === 'kill')) {
    const cycle = kill.cycle!;
    const afterKill = events.slice(events.indexOf(kill));
    const first = (event: string) => afterKill.find((e) => e.event === event)?.t ?? Number.NaN;
    const ready = at('restart', (e) => e.cycle === cycle);
    if (ready === undefined) continue; // the server did not come back: nothing to compare
    const snapshot = events.find((e) => e.event === 'snapshot' && e.cycle === cycle);
    times.push({
      cycle,
      exit: first('server-exit') - kill.t,
      settled: first('writers-stopped') - kill.t,
      snapshot: (snapshot?.t ?? Number.NaN) - kill.t,
      spawn: first('server-start') - kill.t,
      ready: ready - kill.t,
      checked: (at('cycle-end', (e) => e.cycle === cycle) ?? Number.NaN) - kill.t,
      ...(snapshot?.path ? { snapshotPath: join(runDir, snapshot.path), dataBytes: snapshot.dataBytes } : {}),
    });
  }
  return times;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : '-');

const mib = (pairs: readonly { campaign: CycleTimes }[]) => (mean(pairs.map((pair) => pair.campaign.dataBytes ?? Number.NaN)) / 2 ** 20).toFixed(1);

function report(pairs: readonly { campaign: CycleTimes; bare: BareRestart }[]): void {
  if (pairs.length === 0) {
    console.log('  no cycle restarted with a snapshot: nothing to compare');
    return;
  }
  const campaign = (key: keyof Omit<CycleTimes, 'cycle' | 'snapshotPath' | 'dataBytes'>) => pairs.map((pair) => pair.campaign[key]);
  const bare = (key: keyof BareRestart) => pairs.map((pair) => pair.bare[key]);
  const bareReady = mean(bare('ready'));
  const ready = mean(campaign('ready'));
  const checked = mean(campaign('checked'));
  console.log(`  bare:     kill → next server spawned ${ms(mean(bare('spawn')))}, → answers SELECT 1 ${ms(bareReady)} (mean of ${pairs.length}; median ${ms(median(bare('ready')))})`);
  console.log(
    `  campaign: kill → exited ${ms(mean(campaign('exit')))}, writers settled ${ms(mean(campaign('settled')))}, next server spawned ${ms(mean(campaign('spawn')))}, ` +
      `ready ${ms(ready)} (median ${ms(median(campaign('ready')))}); crash snapshot compressed, in the background, ${ms(mean(campaign('snapshot')))} after the kill`,
  );
  console.log(`  campaign kill → cycle checked (read-back, metadata, flush-stuck): mean ${ms(checked)} = ${(checked / bareReady).toFixed(2)}x bare (the checks' own work)`);
  const ratio = ready / bareReady;
  const paired = median(pairs.map((pair) => pair.campaign.ready / pair.bare.ready));
  console.log(
    `  cycle overhead ${ratio.toFixed(2)}x bare restart (target ≤ ${TARGET_RATIO.toFixed(2)}x)${ratio <= TARGET_RATIO ? '' : ' — over target'}; ` +
      `median of the per-cycle ratios ${paired.toFixed(2)}x`,
  );
}
