import { expect } from 'chai';
import fs from 'fs-extra';
import { onlyRunFolder, readHistory, readResult, runCli } from '../support/cli.js';
import { isAlive } from '../support/processes.js';
import { useTempDir } from '../support/temp.js';

describe('run --rows N (end to end, reference server)', function () {
  this.timeout(120_000);
  const tempDir = useTempDir('kalam-chaos-rows-');
  // 100-150 acknowledged 10-row INSERTs per cycle: about 1000-1500 rows, so 2000 takes two cycles or three.
  const shape = ['--workload', 'append', '--trigger', 'acks:100-150', '--rows-per-insert', '10', '--quiet'];

  it('cycles until 2000 rows are acknowledged and stops after the cycle that got there', async () => {
    const out = tempDir();
    const run = await runCli(['run', 'kill-mid-insert', '--rows', '2000', '--seed', '3', '--out', out, ...shape]);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.match(/rows goal: 2000 asked, \d+ acknowledged in \d+ cycle\(s\): reached/);
    const runDir = await onlyRunFolder(out);
    const result = await readResult(runDir);
    const acknowledged = result.totals.rows.acknowledged;
    expect(result.verdict).to.equal('pass');
    expect(result.rowsGoal).to.deep.equal({ asked: 2000, acknowledged, reached: true, cycles: result.cycles.length, stoppedBy: 'reached' });
    expect(acknowledged).to.be.at.least(2000);
    // Soon after: the cycles before the last had not reached the goal, so no cycle ran past it.
    const beforeLast = acknowledged - result.cycles.at(-1)!.rows.acknowledged;
    expect(beforeLast, 'rows acknowledged before the last cycle').to.be.below(2000);
    expect(result.parameters.cycles, 'the default bound').to.equal(1000);
    expect(result.schedule).to.have.length(result.cycles.length);

    const history = await readHistory(runDir);
    const stops = history.filter((event) => event.event === 'rows-goal');
    expect(stops).to.have.length(1);
    expect(stops[0]).to.include({ cycle: result.cycles.length, goal: 2000, acknowledged, stoppedBy: 'reached' });
    for (const start of history.filter((event) => event.event === 'server-start')) expect(isAlive(start.pid as number), `server pid ${String(start.pid)}`).to.equal(false);

    const check = await runCli(['check', runDir, '--dry-run', '--json']);
    expect(check.exitCode, check.stderr).to.equal(0);
    expect(JSON.parse(check.stdout)).to.deep.equal(result);
  });

  it('short of the goal at its --cycles bound, the run is inconclusive (exit 3), not a pass', async () => {
    const out = tempDir();
    const run = await runCli(['run', 'kill-mid-insert', '--rows', '1000000', '--cycles', '1', '--seed', '3', '--out', out, ...shape]);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(3);
    const result = await readResult(await onlyRunFolder(out));
    expect(result.verdict).to.equal('inconclusive');
    expect(result.cycles).to.have.length(1);
    expect(result.rowsGoal).to.deep.include({ asked: 1_000_000, reached: false, cycles: 1, stoppedBy: 'max-cycles' });
    expect(result.coverage.map((gap) => [gap.cycle, gap.kind])).to.deep.equal([[0, 'rows-not-reached']]);
    expect(run.stdout).to.include('NOT reached (stopped: max-cycles)');
  });

  it('refuses 0, negative and non-integer --rows with one line and exit 2, creating nothing', async () => {
    const out = tempDir();
    for (const value of ['0', '-3', '1.5', 'x', '']) {
      const run = await runCli(['run', 'kill-mid-insert', `--rows=${value}`, '--out', out]);
      expect(run.exitCode, value).to.equal(2);
      expect(run.stderr.trim().split('\n'), run.stderr).to.have.length(1);
      expect(run.stderr).to.match(/^kalam-chaos: --rows must be/);
    }
    const spaced = await runCli(['run', 'kill-mid-insert', '--rows', '-3', '--out', out]);
    expect(spaced.exitCode).to.equal(2);
    expect(spaced.stderr.trim()).to.equal('kalam-chaos: --rows must be between 1 and 1000000000, got -3');
    expect(await fs.readdir(out)).to.deep.equal([]);
  });
});
