import { expect } from 'chai';
import { onlyRunFolder, readHistory, readResult, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';
import type { RunResult } from '../../src/vocabulary/result.js';

const subscriberStats = (result: RunResult) => result.cycles.flatMap((cycle) => cycle.checks.filter((check) => check.check === 'subscribers').flatMap((check) => (check.stats ? [check.stats] : [])));
const kindsOf = (result: RunResult) => new Set(result.violations.map((record) => record.violation.kind));

describe('live-subscribers campaign (end to end, through the CLI)', function () {
  this.timeout(90_000);
  const tempDir = useTempDir();

  it('passes against the correct reference server with changes delivered to every resumed subscriber', async () => {
    const out = tempDir();
    const run = await runCli(['run', 'live-subscribers', '--cycles', '3', '--seed', '1', '--out', out, '--quiet']);
    expect(run.exitCode, run.stderr + run.stdout).to.equal(0);
    const runDir = await onlyRunFolder(out);
    const result = await readResult(runDir);
    expect(result).to.include({ scenario: 'live-subscribers', verdict: 'pass' });
    expect(result.cycles).to.have.length(3);
    const [stats] = subscriberStats(result);
    expect(stats, 'the subscribers check reports its figures').to.not.equal(undefined);
    expect(stats!.changesDelivered).to.be.greaterThan(0);
    // Three users, each connected once and resumed after each of the three kills.
    expect(stats!.connections).to.equal(9);
    const events = await readHistory(runDir);
    const resumed = events.filter((event) => event.event === 'live-connect' && typeof event.fromSeq === 'string');
    expect(resumed.length, 'resumes carry a from_seq_id cursor').to.be.greaterThan(0);
    expect(events.filter((event) => event.event === 'live-entries').length, 'system.live read after every restart').to.be.greaterThanOrEqual(3);
  });

  for (const [defect, expected] of [
    ['resume-skips-first-change', ['missed-change', 'initial-data-mismatch']],
    ['live-survives-restart', ['stale-live-entry']],
  ] as const) {
    it(`catches the seeded defect ${defect} (${expected.join(' or ')})`, async () => {
      const out = tempDir();
      const run = await runCli(['run', 'live-subscribers', '--cycles', '3', '--seed', '1', '--out', out, '--quiet', '--defect', defect]);
      expect(run.exitCode, run.stderr + run.stdout).to.equal(1);
      const result = await readResult(await onlyRunFolder(out));
      expect(result.verdict).to.equal('fail');
      const kinds = kindsOf(result);
      expect([...kinds].filter((kind) => (expected as readonly string[]).includes(kind)), `violations: ${[...kinds].join(', ')}`).to.not.deep.equal([]);
      expect([...kinds].every((kind) => (expected as readonly string[]).includes(kind)), `only the defect's violations: ${[...kinds].join(', ')}`).to.equal(true);
    });
  }
});
