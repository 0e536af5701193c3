/**
 * How reliably each workload's seeded defect is caught: every selftest row that seeds a defect
 * under a workload other than append, over BENCH_DETECTION_SEEDS seeds (default 20) of 5 cycles.
 */
import { SCENARIOS } from '../../chaos/index.js';
import { buildCampaignConfig, type RunFlags } from '../../src/cli/options.js';
import { DEFECTS } from '../../src/reference-server/defects.js';
import { runCampaign } from '../../src/run/campaign.js';
import { SELFTEST_MATRIX } from '../../src/selftest/matrix.js';

const CYCLES = 5;

export async function detectionRates(out: string): Promise<void> {
  const seeds = Number(process.env.BENCH_DETECTION_SEEDS ?? 20);
  const rows = SELFTEST_MATRIX.filter((row) => row.defect && Array.isArray(row.expect) && typeof row.flags.workload === 'string' && row.flags.workload !== 'append');
  console.log(`\nDefect detection: each workload defect over ${seeds} seeds of ${CYCLES} cycles (target: caught in >= 95% of seeds)`);
  for (const row of rows) {
    const scenario = SCENARIOS.find((candidate) => candidate.name === row.scenario)!;
    const expected = row.expect as readonly string[];
    const firstCaught: number[] = [];
    let missed = 0;
    let errors = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const flags = { ...row.flags, target: 'reference', auth: 'bearer', out, seed: String(seed), cycles: String(CYCLES), defect: [row.defect!] } as unknown as RunFlags;
      const result = await runCampaign(buildCampaignConfig(scenario, flags, Object.keys(DEFECTS)));
      if (result.verdict === 'error') errors++;
      const caught = result.violations.filter((record) => expected.includes(record.violation.kind)).map((record) => record.cycle);
      if (caught.length > 0) firstCaught.push(Math.min(...caught));
      else missed++;
    }
    const rate = (100 * firstCaught.length) / seeds;
    const mean = firstCaught.length ? firstCaught.reduce((sum, cycle) => sum + cycle, 0) / firstCaught.length : Number.NaN;
    console.log(
      `  ${row.name.padEnd(64)} caught ${firstCaught.length}/${seeds} = ${rate.toFixed(0)}%${rate >= 95 ? '' : ' (below 95%)'}; ` +
        `first caught in cycle ${Number.isFinite(mean) ? mean.toFixed(1) : '-'} on average; missed ${missed}${errors ? `; ${errors} tool error(s)` : ''}`,
    );
  }
}
