import { SCENARIOS } from '../../chaos/index.js';
import { buildCampaignConfig, type RunFlags } from '../cli/options.js';
import { DEFECTS } from '../reference-server/defects.js';
import { runCampaign } from '../run/campaign.js';
import type { ViolationKind } from '../checker/types.js';
import { SELFTEST_MATRIX, type SelftestCase } from './matrix.js';
import { detectPowerLoss } from '../power-loss/lossfs.js';

export interface SelftestRow {
  readonly name: string;
  readonly expected: string;
  readonly got: string;
  readonly ok: boolean;
  readonly skipped?: string;
  readonly runDir: string;
  readonly durationMs: number;
}

export interface SelftestOptions {
  readonly short: boolean;
  /** Only the rows whose name contains this text. */
  readonly only?: string;
  readonly seed: number;
  readonly outDir: string;
  readonly signal?: AbortSignal;
  readonly onRow?: (row: SelftestRow, index: number, total: number) => void;
}

/** Runs the matrix; a row is ok when the correct server passes and each defect is caught by the violation it causes. */
export async function runSelftest(options: SelftestOptions): Promise<SelftestRow[]> {
  const cases = SELFTEST_MATRIX.filter((entry) => (!options.short || entry.short) && (options.only === undefined || entry.name.includes(options.only)));
  const rows: SelftestRow[] = [];
  const powerLoss = cases.some((entry) => entry.needsPowerLoss) ? await detectPowerLoss() : undefined;
  for (const [index, entry] of cases.entries()) {
    options.signal?.throwIfAborted();
    const row =
      entry.needsPowerLoss && powerLoss && !powerLoss.available
        ? { name: entry.name, expected: describeExpectation(entry), got: 'skipped', ok: true, skipped: powerLoss.reason, runDir: '-', durationMs: 0 }
        : await runCase(entry, options);
    rows.push(row);
    options.onRow?.(row, index, cases.length);
  }
  return rows;
}

function describeExpectation(entry: SelftestCase): string {
  if (entry.expect === 'pass') return 'pass';
  if (entry.expect === 'no-violation') return 'pass or inconclusive';
  return `fail with ${entry.expect.join(' or ')}`;
}

async function runCase(entry: SelftestCase, options: SelftestOptions): Promise<SelftestRow> {
  const scenario = SCENARIOS.find((candidate) => candidate.name === entry.scenario);
  if (!scenario) throw new Error(`self-test case "${entry.name}" names unknown scenario ${entry.scenario}`);
  const flags = {
    target: 'reference',
    auth: 'bearer',
    out: options.outDir,
    seed: String(options.seed),
    ...(entry.defect ? { defect: [entry.defect] } : {}),
    ...entry.flags,
  } as RunFlags;
  const config = buildCampaignConfig(scenario, flags, Object.keys(DEFECTS));
  const started = performance.now();
  const result = await runCampaign(config, options.signal ? { signal: options.signal } : {});
  if (result.verdict === 'interrupted') options.signal?.throwIfAborted();
  const kinds = [...new Set(result.violations.map((record) => record.violation.kind))];
  const runDir = result.files.history.replace(/\/history\.ndjson$/, '');
  const expected = describeExpectation(entry);
  const got =
    result.verdict === 'error'
      ? `error: ${result.error?.message ?? ''}`
      : result.verdict === 'pass'
        ? 'pass'
        : result.verdict === 'inconclusive'
          ? `inconclusive: ${result.coverage.map((gap) => gap.kind).join(', ')}`
          : `fail with ${kinds.join(', ')}`;
  const missedLandingOnly = result.verdict === 'inconclusive' && result.coverage.every((gap) => gap.kind === 'flush-kill-missed-phase');
  const ok =
    entry.expect === 'pass'
      ? result.verdict === 'pass'
      : entry.expect === 'no-violation'
        ? result.verdict === 'pass' || missedLandingOnly
        : result.verdict === 'fail' && kinds.some((kind) => (entry.expect as readonly ViolationKind[]).includes(kind));
  return { name: entry.name, expected, got, ok, runDir, durationMs: Math.round(performance.now() - started) };
}
