import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onlyRunFolder, readResult, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

describe('a run that tested too little (end to end, through the CLI)', function () {
  this.timeout(60_000);
  const tempDir = useTempDir();

  it('is INCONCLUSIVE with exit code 3, says why, fails junit, and `check` reaches the same verdict offline', async () => {
    const out = tempDir();
    // No cycle of a kill-mid-insert campaign acknowledges a million inserts before its kill.
    const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--cycles', '1', '--seed', '5', '--trigger', 'acks:5', '--min-acks', '1000000', '--out', out, '--quiet']);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(3);
    expect(run.stdout).to.match(/^INCONCLUSIVE: kill-mid-insert/);
    expect(run.stdout).to.include('no-acknowledged-write');
    const runDir = await onlyRunFolder(out);
    const result = await readResult(runDir);
    expect(result).to.include({ verdict: 'inconclusive', exitCode: 3 });
    expect(result.violations).to.deep.equal([]);
    expect(result.coverage.map((gap) => [gap.cycle, gap.kind])).to.deep.equal([[1, 'no-acknowledged-write']]);
    expect(result.totals.rows.acknowledged, 'the server did acknowledge writes: only the bar was too high').to.be.greaterThan(0);
    const junit = await readFile(join(runDir, 'junit.xml'), 'utf8');
    expect(junit).to.match(/<failure[^>]*type="inconclusive"/);

    const check = await runCli(['check', runDir, '--dry-run', '--json']);
    expect(check.exitCode, check.stderr).to.equal(3);
    expect(JSON.parse(check.stdout)).to.deep.equal(result);
  });

  it('refuses bad --min-acks and --max-missed-phase values with one line and exit 2', async () => {
    for (const flags of [['--min-acks', '-1'], ['--min-acks', 'many'], ['--max-missed-phase', '150']]) {
      const run = await runCli(['run', 'kill-mid-insert', '--workload', 'append', ...flags, '--out', tempDir()]);
      expect(run.exitCode, flags.join(' ')).to.equal(2);
      expect(run.stderr.trim().split('\n'), run.stderr).to.have.length(1);
    }
  });

  it('check: a folder without a history is a usage error', async () => {
    const run = await runCli(['check', tempDir()]);
    expect(run.exitCode).to.equal(2);
    expect(run.stderr).to.match(/no history\.ndjson/);
  });
});
