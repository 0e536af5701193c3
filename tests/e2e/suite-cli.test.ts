import { expect } from 'chai';
import fs from 'fs-extra';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUITE_CHECKS } from '../../src/suite/registry.js';
import type { SuiteResult } from '../../src/suite/types.js';
import { onlyRunFolder, runCli } from '../support/cli.js';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import { useTempDir } from '../support/temp.js';

async function cliTempDirs(): Promise<string[]> {
  return (await fs.readdir(tmpdir())).filter((name) => name.startsWith('kalam-chaos-cli-'));
}

describe('kalam-chaos suite cli subscriptions on the reference server', function () {
  this.timeout(150_000);
  const tempDir = useTempDir('kalam-chaos-suite-cli-');

  it('with the real kalam CLI, every subscriptions and cli check holds, the CLI runs recorded as evidence, its temporary folder gone', async function () {
    const cliBin = requireKalamdbBinary(this, 'kalam');
    const before = await cliTempDirs();
    const out = tempDir();
    const run = await runCli(['suite', 'cli', 'subscriptions', '--cli-bin', cliBin, '--seed', '7', '--out', out, '--quiet'], { timeoutMs: 120_000 });
    const result = (await fs.readJson(join(await onlyRunFolder(out), 'result.json'))) as SuiteResult;
    expect(result.checks.filter((check) => check.outcome !== 'pass').map((check) => ({ id: check.id, problems: check.problems, reason: check.reason }))).to.deep.equal([]);
    expect(run.exitCode, run.stderr).to.equal(0);
    const expected = SUITE_CHECKS.filter((check) => check.category === 'cli' || check.category === 'subscriptions').map((check) => check.id);
    expect(result.checks.map((check) => check.id)).to.deep.equal(expected);
    for (const check of result.checks.filter((entry) => entry.category === 'cli')) {
      const runs = check.evidence.filter((entry) => entry.session === 'kalam');
      expect(runs.length, check.id).to.be.greaterThan(0);
      for (const entry of runs) {
        expect(entry.statement, check.id).to.match(/^kalam\b/);
        expect(entry.answer.exitCode, `${check.id}: ${entry.statement}`).to.be.a('number');
      }
    }
    // The token the CLI was given is in no evidence, nor its credentials folder.
    expect(JSON.stringify(result)).not.to.match(/eyJ[\w-]{10,}|credentials\.toml/);
    expect(await cliTempDirs()).to.deep.equal(before);
  });

  it('without --cli-bin the cli checks are skipped, saying why, and the run passes on the rest', async () => {
    const out = tempDir();
    const run = await runCli(['suite', 'cli', '--seed', '8', '--out', out, '--quiet'], { timeoutMs: 60_000 });
    const result = (await fs.readJson(join(await onlyRunFolder(out), 'result.json'))) as SuiteResult;
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(result.checks.length).to.be.greaterThan(0);
    for (const check of result.checks) {
      expect(check.outcome, check.id).to.equal('skipped');
      expect(check.reason, check.id).to.match(/--cli-bin/);
    }
  });

  it('a --cli-bin that does not exist is one line on stderr and exit 2', async () => {
    const out = tempDir();
    const missing = join(out, 'no-such-kalam');
    const run = await runCli(['suite', 'cli', '--cli-bin', missing, '--out', out]);
    expect(run.exitCode).to.equal(2);
    expect(run.stderr.trim().split('\n')).to.deep.equal([`kalam-chaos: kalam CLI (--cli-bin) not found: ${missing}`]);
  });
});
