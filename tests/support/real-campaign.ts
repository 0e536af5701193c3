import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../src/report/result.js';
import { onlyRunFolder, readHistory, readResult, runCli } from './cli.js';
import { isAlive } from './processes.js';
import { unexplainedViolations } from './known-findings.js';

export interface RealRun {
  readonly runDir: string;
  readonly exitCode: number | undefined;
  /** Exit code, stdout and stderr, for assertion messages. */
  readonly output: string;
  readonly result: RunResult;
  readonly history: Record<string, unknown>[];
}

/** Runs a campaign against the real kalamdb-server through the CLI, in a fresh folder under `parent`. */
export async function runRealCampaign(parent: string, serverBin: string, scenario: string, args: string[], timeoutMs: number): Promise<RealRun> {
  const out = await mkdtemp(join(parent, `${scenario}-`));
  // A fault's own suite runs the append workload, whose ledger its assertions read; tests/e2e-kalamdb/workloads.test.ts runs the mix.
  const workload = args.includes('--workload') ? [] : ['--workload', 'append'];
  const cli = await runCli(['run', scenario, '--target', 'kalamdb', '--server-bin', serverBin, '--out', out, '--quiet', ...workload, ...args], { timeoutMs });
  const output = `exit ${cli.exitCode}\n${cli.stdout}\n${cli.stderr}`;
  const runDir = await onlyRunFolder(out).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}:\n${output}`);
  });
  const result = await readResult(runDir).catch((error: unknown) => {
    throw new Error(`no result.json in ${runDir} (${(error as Error).message}):\n${output}`);
  });
  return { runDir, exitCode: cli.exitCode, output: `${output}\nrun folder: ${runDir}`, result, history: await readHistory(runDir) };
}

/**
 * Exit 0, or 1 with only known KalamDB findings; never 2 (a tool error). Exit 3 (inconclusive) only
 * with the coverage gaps named in `tolerated` (a watch-triggered flush kill can miss its phase on a
 * server whose flush takes microseconds) and no others.
 */
export function expectNoToolErrorNorFalseAlarm(run: RealRun, tolerated: readonly string[] = []): void {
  const gaps = run.result.coverage.map((gap) => gap.kind);
  const inconclusiveOk = gaps.length > 0 && gaps.every((kind) => tolerated.includes(kind));
  expect(run.exitCode, run.output).to.be.oneOf(inconclusiveOk ? [0, 1, 3] : [0, 1]);
  if (run.exitCode !== 3) expect(gaps.filter((kind) => !tolerated.includes(kind)), run.output).to.deep.equal([]);
  expect(run.result.error, run.output).to.equal(undefined);
  expect(unexplainedViolations(run.result), `violations that are no known KalamDB finding (FINDINGS.md; ${run.runDir})`).to.deep.equal([]);
  expect(run.result.exitCode).to.equal(run.exitCode);
}

/** Every cycle ran, its fault was delivered, it acknowledged rows, and the acknowledged-writes check compared rows. */
export function expectEveryCycleTested(run: RealRun, cycles: number): void {
  const { result, output } = run;
  expect(result.cycles, output).to.have.length(cycles);
  for (const cycle of result.cycles) {
    const label = `cycle ${cycle.cycle} (${run.runDir})`;
    expect(cycle.fault?.delivered, `${label}: fault delivered`).to.equal(true);
    expect(cycle.rows.acknowledged, `${label}: acknowledged rows`).to.be.greaterThan(0);
    const acknowledged = cycle.checks.find((check) => check.check === 'acknowledged-writes');
    expect(acknowledged, `${label}: acknowledged-writes ran`).to.not.equal(undefined);
    const stats = (acknowledged as { stats?: { acknowledged?: number; present?: number } }).stats;
    expect(stats?.acknowledged, `${label}: acknowledged-writes compared rows`).to.be.greaterThan(0);
    expect(cycle.checks.map((check) => check.check), label).to.include('metadata');
  }
}

/** No server incarnation of the run is still alive (each wrote its pid to servers/incarnation-N/server.pid). */
export async function expectNoServerLeft(run: RealRun): Promise<void> {
  const serversDir = join(run.runDir, 'servers');
  const incarnations = await readdir(serversDir);
  expect(incarnations.length, run.output).to.be.greaterThan(0);
  for (const incarnation of incarnations) {
    const pid = Number((await readFile(join(serversDir, incarnation, 'server.pid'), 'utf8')).trim());
    expect(Number.isInteger(pid) && pid > 0, `${incarnation}/server.pid`).to.equal(true);
    expect(isAlive(pid), `${incarnation} (pid ${pid}) still running after the run`).to.equal(false);
  }
}

export interface InspectionTotals {
  readonly scopes: number;
  readonly segments: number;
}

/** Totals of each storage inspection the run recorded in its history. */
export function storageInspections(run: RealRun): { cycle: number; when: string; ok: boolean; totals: InspectionTotals }[] {
  return run.history
    .filter((event) => event.event === 'storage-inspection')
    .map((event) => ({ cycle: event.cycle as number, when: event.when as string, ok: event.ok as boolean, totals: event.totals as InspectionTotals }));
}

/** `kalam-chaos inspect --json` on the run's data directory: exit 0, and at least one segment when `withSegments`. */
export async function expectInspectPasses(run: RealRun, withSegments: boolean): Promise<void> {
  const dataDir = join(run.runDir, 'data');
  const cli = await runCli(['inspect', '--json', dataDir], { timeoutMs: 60_000 });
  const output = `inspect ${dataDir}: exit ${cli.exitCode}\n${cli.stdout.slice(0, 4000)}\n${cli.stderr}`;
  expect(cli.exitCode, output).to.equal(0);
  const report = JSON.parse(cli.stdout) as { scopes: { segments: number }[] };
  if (!withSegments) return;
  expect(report.scopes.length, output).to.be.greaterThan(0);
  expect(report.scopes.reduce((sum, scope) => sum + scope.segments, 0), output).to.be.greaterThan(0);
}

/**
 * A temp folder for a suite's real-server runs: removed after the suite when every test passed,
 * kept (and its path printed) when one failed, so the run folders stay as evidence.
 */
export function useEvidenceFolder(prefix: string): () => string {
  let dir: string | undefined;
  let failed = false;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });
  after(async () => {
    if (!dir) return;
    if (failed) console.log(`      real-server run folders kept for evidence: ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error('evidence folder used before the suite started');
    return dir;
  };
}
