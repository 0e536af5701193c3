import { expect } from 'chai';
import { onlyRunFolder, readHistory, readResult, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

/** Runs a campaign that must fail (exit 1) and returns its run folder, result and lost violations. */
async function runLosingCampaign(args: string[], out: string) {
  const cli = await runCli(['run', ...args, '--workload', 'append', '--out', out, '--quiet']);
  const output = `exit ${cli.exitCode}\n${cli.stdout}\n${cli.stderr}`;
  expect(cli.exitCode, output).to.equal(1);
  const runDir = await onlyRunFolder(out);
  const result = await readResult(runDir);
  const lost = result.violations.flatMap((record) => (record.violation.kind === 'lost' ? [record.violation] : []));
  expect(lost.length, output).to.be.greaterThan(0);
  return { cli, output, runDir, lost };
}

describe('loss forensics on a reference-server run that loses rows (end to end)', function () {
  this.timeout(30_000);
  const tempDir = useTempDir();

  it('drop-hot-before-manifest: each lost violation says in which segment its rows were last seen', async () => {
    const { cli, output, runDir, lost } = await runLosingCampaign(
      ['kill-mid-flush', '--defect', 'drop-hot-before-manifest', '--phase', 'segment-renamed', '--flush-delay-ms', '50', '--cycles', '2', '--seed', '52'],
      tempDir(),
    );
    for (const violation of lost) {
      const ranges = violation.forensics?.ranges ?? [];
      expect(ranges.reduce((sum, range) => sum + range.count, 0), JSON.stringify(violation.forensics)).to.equal(violation.ids.length);
      // The defect drops the hot rows of a segment the manifest never commits: they must be found in that orphan.
      const located = ranges.filter((range) => range.placement.kind === 'segment');
      expect(located.length, JSON.stringify(ranges)).to.be.greaterThan(0);
      for (const range of located) {
        if (range.placement.kind !== 'segment') continue;
        expect(range.placement.last.path).to.match(/^storage\/chaos\/[a-z_]+\/(?:[a-z]+\/)?batch-\d+\.parquet$/);
        expect(range.placement.last.namedByManifestThen, JSON.stringify(range)).to.equal(false);
      }
    }
    expect(cli.stdout, output).to.match(/lost: .*batch-\d+\.parquet/);

    const events = await readHistory(runDir);
    expect(events.filter((event) => event.event === 'segment-committed').length).to.be.greaterThan(0);
    const forensics = events.filter((event) => event.event === 'loss-forensics');
    expect(forensics).to.have.length(1);
    expect(forensics[0]!.snapshotsSearched).to.deep.equal([1, 2]);

    const rerun = await runCli(['forensics', runDir]);
    expect(rerun.exitCode, rerun.stderr).to.equal(1);
    expect(rerun.stdout).to.match(/batch-\d+\.parquet/);
    expect(rerun.stdout).to.contain('segment-overwritten: none');
  });

  it('ack-before-write under kill-mid-insert: rows acknowledged but never written are placed in the hot tier only', async () => {
    const { lost } = await runLosingCampaign(
      ['kill-mid-insert', '--defect', 'ack-before-write', '--ack-delay-ms', '200', '--trigger', 'acks:20-80', '--cycles', '2', '--seed', '1'],
      tempDir(),
    );
    for (const violation of lost) {
      const kinds = (violation.forensics?.ranges ?? []).map((range) => range.placement.kind);
      expect(kinds.length, JSON.stringify(violation)).to.be.greaterThan(0);
      // Every crash was snapshotted and no segment holds these rows.
      expect(new Set(kinds), JSON.stringify(violation.forensics)).to.deep.equal(new Set(['hot-only']));
    }
  });
});
