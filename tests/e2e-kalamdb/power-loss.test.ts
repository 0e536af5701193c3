import { expect } from 'chai';
import { detectPowerLoss } from '../../src/power-loss/lossfs.js';
import { onlyRunFolder, readHistory, readResult, runCli } from '../support/cli.js';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import { useEvidenceFolder } from '../support/real-campaign.js';
import { unexplainedViolations } from '../support/known-findings.js';

describe('power-loss on the real KalamDB (2 cycles)', function () {
  this.timeout(120_000);
  // Kept when the test fails: the run folder is the evidence.
  const tempDir = useEvidenceFolder('kalam-chaos-kalamdb-power-');
  let serverBin = '';

  before(async function () {
    this.timeout(60_000);
    serverBin = requireKalamdbBinary(this);
    const support = await detectPowerLoss();
    if (!support.available) {
      if (process.env.CI === 'true') throw new Error(`CI needs lossfs for power-loss on KalamDB: ${support.reason}`);
      console.log(`      skipped: lossfs cannot mount here: ${support.reason}`);
      this.skip();
    }
  });

  it('survives the cuts with its tables, acknowledges writes every cycle, and reports first boot and loss figures', async () => {
    const out = tempDir();
    const run = await runCli(
      ['run', 'power-loss', '--workload', 'append', '--target', 'kalamdb', '--server-bin', serverBin, '--cycles', '2', '--seed', '1', '--trigger', 'acks:40-120', '--out', out, '--quiet'],
      { timeoutMs: 100_000 },
    );
    const output = run.stdout + run.stderr;
    // 1: acknowledged rows lost (KalamDB's default sync_writes=false loses them by design); 2 would be the tool failing
    expect(run.exitCode, output).to.be.oneOf([0, 1]);
    const runDir = await onlyRunFolder(out);
    const result = await readResult(runDir);
    // Lost acknowledged rows are F5 (sync_writes = false); a table "not found" after a restart is F3.
    expect(unexplainedViolations(result), `violations that are no known KalamDB finding (FINDINGS.md)\n${output}`).to.deep.equal([]);
    expect(result.cycles, 'both cycles ran: the database survived the first cut').to.have.length(2);
    for (const cycle of result.cycles) {
      expect(cycle.rows.acknowledged, `cycle ${cycle.cycle} acknowledged writes`).to.be.greaterThan(0);
      expect(cycle.gaps, `cycle ${cycle.cycle} tested enough`).to.equal(undefined);
      expect(cycle.powerCut?.loss).to.equal('unsynced');
    }

    expect(result.firstBoot, 'first-boot finding recorded').to.be.an('object');
    expect(result.firstBoot!.namesNotDurable).to.be.an('array');
    const history = await readHistory(runDir);
    const settle = history.findIndex((event) => event.event === 'settle');
    const firstPlan = history.findIndex((event) => event.event === 'nemesis-planned');
    expect(settle, 'settle event in history.ndjson').to.be.greaterThan(-1);
    expect(settle).to.be.lessThan(firstPlan);

    const figures = result.ackLoss!;
    expect(figures.total.acknowledged).to.equal(result.totals.rows.acknowledged).and.to.be.greaterThan(0);
    expect(figures.cycles.map((cycle) => cycle.acknowledged)).to.deep.equal(result.cycles.map((cycle) => cycle.rows.acknowledged));
    const lostIds = new Set<string>();
    for (const { violation } of result.violations) if (violation.kind === 'lost') for (const id of violation.ids) lostIds.add(`${violation.table}/${violation.partition}/${id}`);
    expect(figures.total.lost).to.equal(lostIds.size);
    expect(run.stdout).to.include(`acknowledged rows lost: ${figures.total.lost}/${figures.total.acknowledged}`);
  });
});
