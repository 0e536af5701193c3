import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import fs from 'fs-extra';
import { onlyRunFolder, readHistory, readResult, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('corruption campaigns (end to end, through the CLI)', function () {
  this.timeout(150_000);
  const tempDir = useTempDir();

  it('corrupt-all against the correct reference server: every kind rebuilt or refused, originals kept, exit 0', async () => {
    const out = tempDir();
    const run = await runCli(['run', 'corrupt-all', '--workload', 'append', '--seed', '21', '--out', out, '--quiet', '--trigger', 'acks:20-40'], { timeoutMs: 140_000 });
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    const runDir = await onlyRunFolder(out);
    const result = await readResult(runDir);
    expect(result.cycles).to.have.length(17);
    const kinds = result.cycles.map((cycle) => `${cycle.corruption?.applied.corruption.file}:${cycle.corruption?.applied.corruption.kind}`);
    expect(new Set(kinds).size).to.equal(17);
    for (const cycle of result.cycles) {
      const corruption = cycle.corruption!;
      expect(['rebuilt', 'refused'], kinds[cycle.cycle - 1]).to.include(corruption.outcome);
      expect(corruption.damageRead, `${kinds[cycle.cycle - 1]} was read`).to.equal(true);
      if (corruption.outcome === 'refused') expect(corruption.restored?.ok).to.equal(true);
      const applied = corruption.applied;
      if (applied.original !== null) {
        const original = await fs.readFile(join(runDir, applied.original));
        expect(sha256(original), `original of ${applied.path} kept`).to.equal(applied.sha256Before);
        expect(applied.sha256After).to.not.equal(applied.sha256Before);
      }
    }
    // Parquet damage cannot be rebuilt from anything: the correct server refuses, naming the file.
    const parquet = result.cycles.filter((cycle) => cycle.corruption?.applied.corruption.file === 'parquet' && cycle.corruption.applied.corruption.kind !== 'orphan');
    expect(parquet.every((cycle) => cycle.corruption?.outcome === 'refused')).to.equal(true);
    const events = await readHistory(runDir);
    expect(events.filter((event) => event.event === 'corruption')).to.have.length(17);
    expect(events.filter((event) => event.event === 'recovery-outcome')).to.have.length(17);
  });

  it('catches trust-corrupt-manifest as silent loss and panic-on-bad-manifest as a panic, named in result.json', async () => {
    const cases = [
      { defect: 'trust-corrupt-manifest', kind: 'drop-segment', outcome: 'silent-loss' },
      { defect: 'panic-on-bad-manifest', kind: 'invalid-json', outcome: 'panic' },
    ];
    await Promise.all(
      cases.map(async ({ defect, kind, outcome }) => {
        const out = join(tempDir(), defect);
        const run = await runCli(['run', 'corrupt-manifest', '--workload', 'append', '--kind', kind, '--cycles', '1', '--seed', '22', '--defect', defect, '--out', out, '--quiet']);
        expect(run.exitCode, run.stdout + run.stderr).to.equal(1);
        const result = await readResult(await onlyRunFolder(out));
        const violations = result.violations.filter((record) => record.violation.kind === 'recovery-outcome');
        expect(violations, defect).to.have.length(1);
        const violation = violations[0]!.violation;
        if (violation.kind !== 'recovery-outcome') throw new Error('unreachable');
        expect(violation.outcome).to.equal(outcome);
        expect(violation.corruption).to.equal(`manifest:${kind}`);
        expect(violation.evidence.length).to.be.greaterThan(0);
        if (outcome === 'panic') expect(violation.evidence.join('\n')).to.include('panicked at');
      }),
    );
  });

  it('inspect explains the damaged file of a corruption run', async () => {
    const out = tempDir();
    const run = await runCli(['run', 'corrupt-parquet', '--workload', 'append', '--kind', 'truncate', '--cycles', '1', '--seed', '23', '--out', out, '--quiet', '--accept', 'rebuilt']);
    // A refusal is not accepted here, so the run fails; the server was restored afterwards but the copy in the run folder is the damaged state's original.
    expect(run.exitCode, run.stdout + run.stderr).to.equal(1);
    const runDir = await onlyRunFolder(out);
    const result = await readResult(runDir);
    const applied = result.cycles[0]!.corruption!.applied;
    // Damage the file again, as the server saw it, and ask inspect what is wrong with it.
    const damaged = join(runDir, 'data', applied.path);
    const bytes = await fs.readFile(damaged);
    await fs.writeFile(damaged, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const inspect = await runCli(['inspect', join(runDir, 'data')]);
    expect(inspect.exitCode).to.equal(1);
    expect(inspect.stdout).to.include(applied.path);
  });

  it('refuses corruption flags on other scenarios and unknown kinds', async () => {
    for (const args of [
      ['run', 'kill-mid-insert', '--workload', 'append', '--kind', 'truncate'],
      ['run', 'corrupt-manifest', '--workload', 'append', '--kind', 'footer'],
      ['run', 'corrupt-parquet', '--workload', 'append', '--accept', 'maybe'],
      ['run', 'corrupt-all', '--workload', 'append', '--stop', 'gently'],
    ]) {
      const run = await runCli([...args, '--out', tempDir()]);
      expect(run.exitCode, args.join(' ')).to.equal(2);
      expect(run.stderr.trim().split('\n'), run.stderr).to.have.length(1);
    }
  });
});
