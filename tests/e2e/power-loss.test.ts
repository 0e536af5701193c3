import { expect } from 'chai';
import { join } from 'node:path';
import { onlyRunFolder, readHistory, readResult, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';
import { detectPowerLoss } from '../../src/power-loss/lossfs.js';

const quick = ['--trigger', 'acks:40-120', '--quiet'];

describe('power-loss campaigns (end to end, through the CLI)', function () {
  this.timeout(120_000);
  const tempDir = useTempDir();

  before(async function () {
    const support = await detectPowerLoss();
    if (!support.available) this.skip();
  });

  it('passes against the correct reference server, and records what each cut took', async () => {
    const out = tempDir();
    const run = await runCli(['run', 'power-loss', '--workload', 'append', '--cycles', '2', '--seed', '31', '--out', out, ...quick]);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    const runDir = await onlyRunFolder(out);
    const result = await readResult(runDir);
    expect(result.cycles).to.have.length(2);
    for (const cycle of result.cycles) {
      expect(cycle.powerCut?.loss).to.equal('unsynced');
      expect(cycle.checks.every((check) => check.ok)).to.equal(true);
      expect(cycle.gaps).to.equal(undefined);
    }
    // The reference server fsyncs every directory it adds to: a cut right after setup would lose nothing.
    expect(result.firstBoot).to.deep.equal({ wouldLoseData: false, namesNotDurable: [], filesNotSynced: [], entryOperationsNotDurable: 0 });
    const events = (await readHistory(runDir)).map((event) => event.event);
    expect(events.indexOf('settle')).to.be.greaterThan(events.indexOf('setup')).and.lessThan(events.indexOf('nemesis-planned'));
    expect(result.ackLoss?.total).to.deep.equal({ acknowledged: result.totals.rows.acknowledged, lost: 0, missingAtEnd: 0, lostShare: 0 });
    expect(run.stdout).to.include(`acknowledged rows lost: 0/${result.totals.rows.acknowledged} (0.0%)`);
  });

  it('catches no-fsync with lost acknowledged ids, which the same defect does not lose under SIGKILL alone', async () => {
    const [cut, kill] = await Promise.all([
      runCli(['run', 'power-loss', '--workload', 'append', '--cycles', '1', '--seed', '32', '--defect', 'no-fsync', '--out', join(tempDir(), 'cut'), ...quick]),
      runCli(['run', 'kill-mid-insert', '--workload', 'append', '--cycles', '2', '--seed', '32', '--defect', 'no-fsync', '--out', join(tempDir(), 'kill'), ...quick]),
    ]);
    expect(cut.exitCode, cut.stdout + cut.stderr).to.equal(1);
    const result = await readResult(await onlyRunFolder(join(tempDir(), 'cut')));
    const lost = result.violations.flatMap((record) => (record.violation.kind === 'lost' ? record.violation.ids : []));
    expect(lost.length).to.be.greaterThan(0);
    // The settle after first boot does not hide the loss: the cut after it still drops the unsynced WAL tail.
    expect(result.firstBoot).to.be.an('object');
    expect(result.ackLoss?.total.lost).to.equal(new Set(lost).size);
    expect(result.ackLoss?.cycles[0]?.missing).to.be.greaterThan(0);
    expect(result.cycles[0]?.powerCut?.filesCut.some((file) => file.path.includes('wal.log'))).to.equal(true);
    expect(kill.exitCode, kill.stdout + kill.stderr).to.equal(0);
  });

  it('tears the last unsynced write with --loss torn and still passes on the correct server', async () => {
    const out = tempDir();
    const run = await runCli(['run', 'power-loss', '--workload', 'append', '--cycles', '1', '--seed', '33', '--loss', 'torn', '--out', out, ...quick]);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    expect((await readResult(await onlyRunFolder(out))).cycles[0]?.powerCut?.loss).to.equal('torn');
  });

  it('cuts the power at a flush phase: kill-mid-flush --power-cut passes on the correct server', async () => {
    const out = tempDir();
    // --flush-delay-ms gives the watch a window, so the kill lands in its phase and the cycle counts.
    const run = await runCli(['run', 'kill-mid-flush', '--workload', 'append', '--phase', 'manifest-written', '--flush-delay-ms', '50', '--power-cut', '--cycles', '1', '--seed', '34', '--out', out, '--quiet']);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    const cycle = (await readResult(await onlyRunFolder(out))).cycles[0]!;
    expect(cycle.powerCut?.loss).to.equal('unsynced');
    expect(cycle.flush?.landed).to.be.a('string');
    expect(cycle.checks.every((check) => check.ok)).to.equal(true);
  });

  it('says in one line when the machine cannot provide the layer, and exits 2', async () => {
    const run = await runCli(['run', 'power-loss', '--workload', 'append', '--out', tempDir()], { env: { KALAM_CHAOS_LOSSFS_PYTHON: '/nonexistent/python' } });
    expect(run.exitCode).to.equal(2);
    expect(run.stderr.trim().split('\n')).to.have.length(1);
    expect(run.stderr).to.match(/power-loss needs lossfs/);
  });
});
