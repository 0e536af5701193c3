import { expect } from 'chai';
import { join } from 'node:path';
import { onlyRunFolder, readHistory, readResult, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';
import { checkTableAvailabilityOfHistory } from '../../src/checker/table-unavailable/log.js';

/** Liveness after a restart (issue 11): table-unavailable and flush-stuck against the reference server. */
describe('liveness checks after a restart (end to end, reference server)', function () {
  this.timeout(30_000);
  const tempDir = useTempDir();

  it('a correct server flushes every hot table to completion after each restart, and passes', async () => {
    const out = tempDir();
    const run = await runCli(['run', 'kill-mid-flush', '--workload', 'append', '--phase', 'tmp-written', '--flush-delay-ms', '50', '--cycles', '2', '--seed', '21', '--out', out, '--quiet'], { timeoutMs: 28_000 });
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    const runDir = await onlyRunFolder(out);
    const result = await readResult(runDir);
    for (const cycle of result.cycles) {
      const flushCheck = cycle.checks.find((check) => check.check === 'flush-stuck');
      expect(flushCheck?.ok).to.equal(true);
      expect(flushCheck?.stats?.completed, `cycle ${cycle.cycle} flushed its hot tables`).to.be.greaterThan(0);
    }
    const events = await readHistory(runDir);
    const outcomes = events.filter((event) => event.event === 'flush-liveness');
    expect(outcomes.length).to.be.greaterThan(1);
    expect(outcomes.every((event) => event.ok === true)).to.equal(true);
    // The job killed mid-flush was marked failed at the restart; that alone is not a violation.
    expect(events.some((event) => event.event === 'flush-job' && event.status === 'failed')).to.equal(true);
    expect(events.some((event) => event.event === 'flush-answer' && typeof event.jobId === 'string')).to.equal(true);
  });

  it('catches stuck-flush-after-restart: the job left running blocks every later flush of its table', async () => {
    const out = tempDir();
    const run = await runCli(
      ['run', 'kill-mid-flush', '--workload', 'append', '--phase', 'tmp-written', '--flush-delay-ms', '50', '--flush-deadline-ms', '1500', '--cycles', '1', '--seed', '22', '--defect', 'stuck-flush-after-restart', '--out', out, '--quiet'],
      { timeoutMs: 28_000 },
    );
    expect(run.exitCode, run.stdout + run.stderr).to.equal(1);
    const result = await readResult(await onlyRunFolder(out));
    const stuck = result.violations.filter((record) => record.violation.kind === 'flush-stuck');
    expect(stuck).to.have.length(1);
    const violation = stuck[0]!.violation;
    if (violation.kind !== 'flush-stuck') return;
    const killed = result.cycles[0]!.flush!.table;
    expect(violation.table).to.equal(`chaos.${killed}`);
    expect(violation.reason).to.equal('already-running');
    expect(violation.jobStatus).to.equal('running');
    expect(violation.jobId).to.equal(result.cycles[0]!.flush!.jobId);
    expect(violation.answers[0]).to.match(/already queued or running/);
    expect(violation.deadlineMs).to.equal(1500);
  });

  it('catches table-unavailable-after-restart, and the verdict can be recomputed from the run folder', async () => {
    const out = tempDir();
    const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--cycles', '2', '--trigger', 'acks:40-80', '--seed', '23', '--defect', 'table-unavailable-after-restart', '--out', out, '--quiet'], {
      timeoutMs: 28_000,
    });
    expect(run.exitCode, run.stdout + run.stderr).to.equal(1);
    const runDir = await onlyRunFolder(out);
    const result = await readResult(runDir);
    const unavailable = result.violations.filter((record) => record.violation.kind === 'table-unavailable');
    expect(unavailable).to.have.length(1);
    const violation = unavailable[0]!.violation;
    if (violation.kind !== 'table-unavailable') return;
    expect(violation).to.include({ table: 'chaos.shared_rows', incarnation: 1, acknowledgedWrites: 0 });
    expect(violation.failedWrites).to.be.at.least(10);
    expect(violation.sampleErrors[0]).to.include('provider not found');
    expect(violation.readAnswers[0]).to.include('not found');
    // Healthy again at the next restart: the second incarnation is not reported.
    expect(result.cycles[1]!.checks.find((check) => check.check === 'acknowledged-writes')?.ok).to.equal(true);
    const recomputed = await checkTableAvailabilityOfHistory(join(runDir, 'history.ndjson'));
    expect(recomputed.violations).to.deep.equal([violation]);
  });
});
