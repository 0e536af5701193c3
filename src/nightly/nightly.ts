/**
 * The nightly matrix: scenarios × seeds, one `kalam-chaos run` process per campaign, within a time
 * budget; keeps the newest N run folders; writes summary.json and summary.md into the output folder.
 */
import { spawn } from 'node:child_process';
import { basename, join, relative, resolve } from 'node:path';
import fs from 'fs-extra';
import { findScenario, SCENARIOS } from '../../chaos/index.js';
import { RUN_MARKER } from '../run/run-folder.js';
import { EXIT_CODES } from '../report/result.js';
import { packageRoot } from '../util/package-root.js';
import { FORCE_AFTER_MS, installInterruptHandler } from '../cli/interrupts.js';
import { makeDirectory } from '../util/make-directory.js';

export class NightlyUsageError extends Error {
  override name = 'NightlyUsageError';
}

export interface NightlyOptions {
  readonly scenarios: readonly string[];
  readonly seeds: readonly number[];
  readonly budgetMinutes: number;
  readonly keep: number;
  readonly outDir: string;
  /** Passed to every `kalam-chaos run` as they are (--target, --server-bin, --cycles, --defect ...). */
  readonly runArgs: readonly string[];
  /** kalamdb-server binaries (older, newer): one upgrade row per pair and seed. */
  readonly upgradePairs?: readonly { readonly from: string; readonly to: string }[];
}

export const NIGHTLY_USAGE = `usage: nightly [--scenarios a,b] [--seeds 1,2,3] [--budget-minutes N] [--keep N] [--out DIR] [--upgrade-pair OLD:NEW]... [RUN FLAGS...]

Runs every scenario with every seed (one "kalam-chaos run" each) until the time budget is spent,
keeps the newest N run folders in DIR, writes DIR/summary.json and DIR/summary.md, and exits 1 if
any campaign did not pass (2 on a usage error, 130/143 when interrupted).

  --scenarios a,b      scenarios (default: all: ${SCENARIOS.map((s) => s.name).join(',')})
  --seeds 1,2,3        seeds (default: 1)
  --budget-minutes N   no campaign starts after N minutes (default 60; fractions allowed)
  --keep N             run folders to keep in DIR, newest first (default 30)
  --out DIR            output folder (default runs/nightly)
  --upgrade-pair O:N   an upgrade row per seed from kalamdb-server binary O to N (repeatable); with
                       --target kalamdb the upgrade scenario runs only for the pairs given
  RUN FLAGS            anything else goes to each "kalam-chaos run" (--target kalamdb --server-bin PATH
                       --cycles 5 --defect NAME ...); --seed, --out, --json and --quiet are set here`;

const DEFAULTS = { seeds: [1], budgetMinutes: 60, keep: 30, outDir: 'runs/nightly' } as const;
const RESERVED_RUN_FLAGS = ['--seed', '--out', '--json', '--quiet'];

function list(value: string, flag: string): string[] {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0) throw new NightlyUsageError(`${flag} needs a comma-separated list, got "${value}"`);
  return items;
}

function wholeNumber(value: string, flag: string, min: number): number {
  if (!/^\d+$/.test(value.trim())) throw new NightlyUsageError(`${flag} must be a whole number, got "${value}"`);
  const parsed = Number(value);
  if (parsed < min) throw new NightlyUsageError(`${flag} must be at least ${min}, got ${parsed}`);
  return parsed;
}

/** Parses the nightly's own flags; the rest are run flags, passed on in their order. */
export function parseNightlyArgs(argv: readonly string[], cwd = process.cwd()): NightlyOptions {
  let scenarios: string[] = SCENARIOS.map((s) => s.name);
  let seeds: number[] = [...DEFAULTS.seeds];
  let budgetMinutes: number = DEFAULTS.budgetMinutes;
  let keep: number = DEFAULTS.keep;
  let outDir: string = DEFAULTS.outDir;
  const runArgs: string[] = [];
  const upgradePairs: { from: string; to: string }[] = [];
  let scenariosGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const own = ['--scenarios', '--seeds', '--budget-minutes', '--keep', '--out', '--upgrade-pair'].includes(name);
    if (!own) {
      if (RESERVED_RUN_FLAGS.includes(name)) throw new NightlyUsageError(`${name} is set by the nightly for each campaign (use --seeds / --out)`);
      runArgs.push(arg);
      continue;
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new NightlyUsageError(`${name} needs a value`);
      value = next;
      i++;
    }
    switch (name) {
      case '--upgrade-pair': {
        const [from, to, ...rest] = value.split(':');
        if (!from || !to || rest.length > 0) throw new NightlyUsageError(`--upgrade-pair takes OLD:NEW (two kalamdb-server paths), got "${value}"`);
        upgradePairs.push({ from: resolve(cwd, from), to: resolve(cwd, to) });
        break;
      }
      case '--scenarios':
        scenariosGiven = true;
        scenarios = list(value, name);
        for (const scenario of scenarios) {
          if (!findScenario(scenario)) {
            throw new NightlyUsageError(`unknown scenario "${scenario}"; known scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`);
          }
        }
        break;
      case '--seeds':
        seeds = list(value, name).map((seed) => wholeNumber(seed, '--seeds', 0));
        break;
      case '--budget-minutes': {
        const minutes = Number(value);
        if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(minutes > 0)) {
          throw new NightlyUsageError(`--budget-minutes must be a positive number, got "${value}"`);
        }
        budgetMinutes = minutes;
        break;
      }
      case '--keep':
        keep = wholeNumber(value, name, 1);
        break;
      case '--out':
        outDir = value;
        break;
    }
  }
  // Against kalamdb an upgrade needs its two binaries: it runs for the pairs given, not as a plain row.
  const targetsKalamdb = runArgs.some((arg, index) => arg === '--target=kalamdb' || (arg === '--target' && runArgs[index + 1] === 'kalamdb'));
  if (targetsKalamdb && !scenariosGiven) scenarios = scenarios.filter((scenario) => scenario !== 'upgrade');
  return { scenarios, seeds, budgetMinutes, keep, outDir: resolve(cwd, outDir), runArgs, ...(upgradePairs.length ? { upgradePairs } : {}) };
}

export interface CampaignOutcome {
  readonly scenario: string;
  readonly seed: number;
  /** result.json's verdict, or 'error' when the run wrote none (usage or setup error). */
  readonly verdict: string;
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly runDir?: string;
  /** Where the run's HTML report is (may not exist for an older or failed-to-start run). */
  readonly report?: string;
  readonly reportExists?: boolean;
  /** The last line the run printed on stderr, when it wrote no result. */
  readonly error?: string;
  /** True when --keep pruned the run folder after the matrix. */
  pruned?: boolean;
}

export interface NightlySummary {
  readonly tool: 'kalam-chaos nightly';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly budgetMinutes: number;
  /** True when campaigns were left unstarted because the time budget was spent. */
  readonly budgetSpent: boolean;
  readonly interrupted?: string;
  readonly outDir: string;
  readonly runArgs: readonly string[];
  readonly campaigns: readonly CampaignOutcome[];
  readonly notStarted: readonly { readonly scenario: string; readonly seed: number }[];
  readonly keep: number;
  readonly prunedRunDirs: readonly string[];
  readonly passed: number;
  readonly failed: number;
  readonly ok: boolean;
  readonly exitCode: number;
}

/** One `kalam-chaos run` in a child process; `onChild` sees it (to forward signals). */
export async function runOneCampaign(
  scenario: string,
  seed: number,
  options: Pick<NightlyOptions, 'outDir' | 'runArgs'>,
  onChild?: (child: import('node:child_process').ChildProcess) => void,
): Promise<CampaignOutcome> {
  const cli = join(packageRoot(), 'bin', 'kalam-chaos.js');
  const args = [cli, 'run', scenario, '--seed', String(seed), '--out', options.outDir, '--json', '--quiet', ...options.runArgs];
  const started = Date.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  onChild?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-16_000)));
  const exitCode = await new Promise<number | null>((done) => {
    child.on('error', (error) => {
      stderr += `\n${error.message}`;
      done(null);
    });
    child.on('close', (code, signal) => done(code ?? (signal ? 128 + (signalNumber(signal) ?? 0) : null)));
  });
  const durationMs = Date.now() - started;
  let result: { verdict?: string; files?: { history?: string } } | undefined;
  try {
    result = JSON.parse(stdout) as typeof result;
  } catch {
    result = undefined;
  }
  const history = result?.files?.history;
  const lastLine = stderr.split('\n').map((line) => line.trim()).filter(Boolean).pop();
  if (!result || !history) {
    return { scenario, seed, verdict: 'error', exitCode, durationMs, ...(lastLine ? { error: lastLine } : {}) };
  }
  const runDir = history.replace(/[/\\]history\.ndjson$/, '');
  const report = join(runDir, 'report.html');
  return {
    scenario,
    seed,
    verdict: result.verdict ?? 'error',
    exitCode,
    durationMs,
    runDir,
    report,
    reportExists: await fs.pathExists(report),
  };
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal];
}

interface MarkedRunDir {
  readonly path: string;
  readonly createdAt: number;
}

/** Run folders directly under `outDir` that carry kalam-chaos's marker, newest first. */
export async function markedRunDirs(outDir: string): Promise<MarkedRunDir[]> {
  if (!(await fs.pathExists(outDir))) return [];
  const found: MarkedRunDir[] = [];
  for (const entry of await fs.readdir(outDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(outDir, entry.name);
    const marker = join(path, RUN_MARKER);
    let createdAt: number;
    try {
      const data = (await fs.readJson(marker)) as { tool?: string; createdAt?: string };
      if (data.tool !== 'kalam-chaos') continue;
      createdAt = Date.parse(data.createdAt ?? '');
      if (Number.isNaN(createdAt)) createdAt = (await fs.stat(marker)).mtimeMs;
    } catch {
      continue; // no marker (or not ours): never touched
    }
    found.push({ path, createdAt });
  }
  return found.sort((a, b) => b.createdAt - a.createdAt || b.path.localeCompare(a.path));
}

/** Deletes all but the newest `keep` marked run folders under `outDir`; returns what it deleted. */
export async function pruneRunDirs(outDir: string, keep: number): Promise<string[]> {
  const dirs = await markedRunDirs(outDir);
  const doomed = dirs.slice(keep).map((dir) => dir.path);
  for (const path of doomed) await fs.remove(path);
  return doomed;
}

export interface NightlyHooks {
  readonly onStart?: (scenario: string, seed: number, index: number, total: number) => void;
  readonly onOutcome?: (outcome: CampaignOutcome) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  readonly runCampaign?: typeof runOneCampaign;
}

export async function runNightly(options: NightlyOptions, hooks: NightlyHooks = {}): Promise<NightlySummary> {
  const now = hooks.now ?? Date.now;
  const run = hooks.runCampaign ?? runOneCampaign;
  await makeDirectory(options.outDir);
  const started = now();
  const deadline = started + options.budgetMinutes * 60_000;
  const matrix: { scenario: string; seed: number; extraArgs?: string[]; label?: string }[] = options.scenarios.flatMap((scenario) => options.seeds.map((seed) => ({ scenario, seed })));
  for (const pair of options.upgradePairs ?? []) {
    for (const seed of options.seeds) matrix.push({ scenario: 'upgrade', seed, extraArgs: ['--from-bin', pair.from, '--to-bin', pair.to], label: `upgrade ${basename(pair.from)} → ${basename(pair.to)}` });
  }
  const campaigns: CampaignOutcome[] = [];
  const notStarted: { scenario: string; seed: number }[] = [];
  let budgetSpent = false;
  let current: import('node:child_process').ChildProcess | undefined;
  const forward = () => {
    if (current && current.exitCode === null) current.kill((hooks.signal?.reason as NodeJS.Signals | undefined) ?? 'SIGTERM');
  };
  hooks.signal?.addEventListener('abort', forward, { once: true });
  try {
    for (const [index, { scenario, seed, extraArgs, label }] of matrix.entries()) {
      if (hooks.signal?.aborted || (budgetSpent ||= now() >= deadline)) {
        notStarted.push({ scenario: label ?? scenario, seed });
        continue;
      }
      hooks.onStart?.(label ?? scenario, seed, index + 1, matrix.length);
      const ran = await run(scenario, seed, extraArgs ? { ...options, runArgs: [...options.runArgs, ...extraArgs] } : options, (child) => (current = child));
      const outcome = label ? { ...ran, scenario: label } : ran;
      current = undefined;
      campaigns.push(outcome);
      hooks.onOutcome?.(outcome);
    }
  } finally {
    hooks.signal?.removeEventListener('abort', forward);
  }

  const prunedRunDirs = await pruneRunDirs(options.outDir, options.keep);
  for (const campaign of campaigns) if (campaign.runDir && prunedRunDirs.includes(campaign.runDir)) campaign.pruned = true;

  const failed = campaigns.filter((c) => c.exitCode !== 0).length;
  const interrupted = hooks.signal?.aborted ? String(hooks.signal.reason ?? 'aborted') : undefined;
  const exitCode = interrupted
    ? interrupted === 'SIGTERM'
      ? EXIT_CODES.interruptedBySigterm
      : EXIT_CODES.interruptedBySigint
    : failed > 0
      ? EXIT_CODES.fail
      : EXIT_CODES.pass;
  const finished = now();
  const summary: NightlySummary = {
    tool: 'kalam-chaos nightly',
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    budgetMinutes: options.budgetMinutes,
    budgetSpent,
    ...(interrupted ? { interrupted } : {}),
    outDir: options.outDir,
    runArgs: options.runArgs,
    campaigns,
    notStarted,
    keep: options.keep,
    prunedRunDirs,
    passed: campaigns.length - failed,
    failed,
    ok: exitCode === EXIT_CODES.pass,
    exitCode,
  };
  await fs.writeJson(join(options.outDir, 'summary.json'), summary, { spaces: 2 });
  await fs.writeFile(join(options.outDir, 'summary.md'), formatSummaryMarkdown(summary));
  return summary;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function link(summary: NightlySummary, path: string): string {
  const rel = relative(summary.outDir, path).split('\\').join('/');
  return `[${cell(rel)}](${encodeURI(rel)})`;
}

export function formatSummaryMarkdown(summary: NightlySummary): string {
  const lines: string[] = [];
  const verdict = summary.interrupted
    ? `INTERRUPTED (${summary.interrupted})`
    : summary.ok
      ? 'PASS'
      : `FAIL (${summary.failed} of ${summary.campaigns.length} campaigns did not pass)`;
  lines.push(`# kalam-chaos nightly: ${verdict}`, '');
  lines.push(`- started ${summary.startedAt}, finished ${summary.finishedAt} (${(summary.durationMs / 60_000).toFixed(1)} min)`);
  lines.push(`- ${summary.campaigns.length} campaign(s) run: ${summary.passed} passed, ${summary.failed} failed`);
  if (summary.budgetSpent) {
    lines.push(`- time budget of ${summary.budgetMinutes} min spent: ${summary.notStarted.length} campaign(s) not started`);
  } else if (summary.notStarted.length > 0) {
    lines.push(`- ${summary.notStarted.length} campaign(s) not started (interrupted)`);
  } else {
    lines.push(`- time budget ${summary.budgetMinutes} min: the whole matrix ran`);
  }
  if (summary.runArgs.length > 0) lines.push(`- run flags: \`${summary.runArgs.join(' ')}\``);
  lines.push(`- kept the newest ${summary.keep} run folder(s); pruned ${summary.prunedRunDirs.length}`, '');
  lines.push('| scenario | seed | verdict | exit code | duration | report |', '| --- | --- | --- | --- | --- | --- |');
  for (const c of summary.campaigns) {
    let where: string;
    if (!c.runDir) where = c.error ? cell(c.error) : '(no run folder)';
    else if (c.pruned) where = `${cell(basename(c.runDir))} (pruned)`;
    else if (c.report && c.reportExists) where = link(summary, c.report);
    else where = `${link(summary, join(c.runDir, 'result.json'))} (no report.html)`;
    lines.push(`| ${c.scenario} | ${c.seed} | ${c.verdict} | ${c.exitCode ?? '-'} | ${(c.durationMs / 1000).toFixed(1)} s | ${where} |`);
  }
  for (const n of summary.notStarted) lines.push(`| ${n.scenario} | ${n.seed} | not started | - | - | ${summary.budgetSpent ? 'time budget spent' : 'interrupted'} |`);
  return lines.join('\n') + '\n';
}

/** The `scripts/nightly` command: parse, run, print one line per campaign and the summary path. */
export async function nightlyMain(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(NIGHTLY_USAGE + '\n');
    return 0;
  }
  let options: NightlyOptions;
  try {
    options = parseNightlyArgs(argv);
  } catch (error) {
    if (!(error instanceof NightlyUsageError)) throw error;
    process.stderr.write(`nightly: ${error.message}\n`);
    return EXIT_CODES.error;
  }
  const controller = new AbortController();
  // Longer than a campaign's own grace: the running campaign, signalled too, stops (or forces itself) first.
  installInterruptHandler(controller, 'nightly', 2 * FORCE_AFTER_MS);
  const summary = await runNightly(options, {
    signal: controller.signal,
    onStart: (scenario, seed, index, total) => process.stdout.write(`[${index}/${total}] ${scenario} seed ${seed} ... `),
    onOutcome: (c) =>
      process.stdout.write(`${c.verdict} (exit ${c.exitCode ?? '-'}, ${(c.durationMs / 1000).toFixed(1)} s)${c.runDir ? ` ${c.runDir}` : c.error ? `: ${c.error}` : ''}\n`),
  });
  if (summary.budgetSpent) process.stdout.write(`time budget of ${summary.budgetMinutes} min spent: ${summary.notStarted.length} campaign(s) not started\n`);
  process.stdout.write(
    `nightly: ${summary.ok ? 'PASS' : summary.interrupted ? 'INTERRUPTED' : 'FAIL'}: ${summary.passed} passed, ${summary.failed} failed; ` +
      `summary ${join(options.outDir, 'summary.md')}\n`,
  );
  return summary.exitCode;
}
