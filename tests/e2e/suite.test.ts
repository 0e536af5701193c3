import { expect } from 'chai';
import { SUITE_DEFECT_CHECKS } from '../../src/suite/defect-checks.js';
import fs from 'fs-extra';
import { join } from 'node:path';
import { SUITE_CATEGORIES, type SuiteResult } from '../../src/suite/types.js';
import { SUITE_CHECKS } from '../../src/suite/registry.js';
import { onlyRunFolder, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

async function suiteRun(out: string, args: string[]) {
  const run = await runCli(['suite', 'startup', 'validation', 'backpressure', '--seed', '5', '--out', out, '--quiet', ...args]);
  const runDir = await onlyRunFolder(out);
  const result = (await fs.readJson(join(runDir, 'result.json'))) as SuiteResult;
  return { run, runDir, result };
}

describe('kalam-chaos suite on the reference server', function () {
  this.timeout(120_000);
  const tempDir = useTempDir('kalam-chaos-suite-');

  it('startup, validation and backpressure all hold, with every statement and answer as evidence, in result.json, junit.xml and report.html', async () => {
    const { run, runDir, result } = await suiteRun(tempDir(), []);
    expect(result.checks.filter((check) => check.outcome !== 'pass').map((check) => ({ id: check.id, problems: check.problems, reason: check.reason }))).to.deep.equal([]);
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(result.verdict).to.equal('pass');
    const expected = SUITE_CHECKS.filter((check) => check.category === 'startup' || check.category === 'validation' || check.category === 'backpressure').map((check) => check.id);
    expect(result.checks.map((check) => check.id)).to.deep.equal(expected);
    for (const check of result.checks) expect(check.evidence.length, check.id).to.be.greaterThan(0);
    const junit = await fs.readFile(join(runDir, 'junit.xml'), 'utf8');
    const html = await fs.readFile(join(runDir, 'report.html'), 'utf8');
    for (const id of expected) {
      expect(junit).to.contain(id);
      expect(html).to.contain(`id="${id}"`);
    }
    for (const id of ['backpressure/concurrent-clients', 'backpressure/rapid-inserts', 'backpressure/rapid-updates']) {
      const figures = result.checks.find((check) => check.id === id)!.figures!;
      expect(figures.successRate, id).to.equal(1);
      expect(figures.queriesPerSecond, id).to.be.greaterThan(0);
      expect(html, id).to.contain('queriesPerSecond');
    }
    expect(JSON.stringify(result)).not.to.match(/PASSWORD '(?!\[redacted\])/i);
  });

  it('with a defect that accepts a flush policy KalamDB refuses, exactly startup/invalid-flush-policy fails (exit 1)', async () => {
    expect(SUITE_DEFECT_CHECKS['flush-policy-unbounded']).to.equal('startup/invalid-flush-policy');
    const { run, result } = await suiteRun(tempDir(), ['--defect', 'flush-policy-unbounded']);
    expect(run.exitCode, run.stderr).to.equal(1);
    expect(result.verdict).to.equal('fail');
    expect(result.checks.filter((check) => check.outcome !== 'pass').map((check) => check.id)).to.deep.equal(['startup/invalid-flush-policy']);
    const failed = result.checks.find((check) => check.id === 'startup/invalid-flush-policy')!;
    expect(failed.problems.join('\n')).to.match(/rows:1000000|interval:86400/);
  });

  it('an unknown category is one line on stderr and exit 2, with no run folder', async () => {
    const out = tempDir();
    const run = await runCli(['suite', 'startup', 'bogus', '--out', out]);
    expect(run.exitCode).to.equal(2);
    expect(run.stderr.trim().split('\n')).to.deep.equal([`kalam-chaos: unknown suite category "bogus"; known categories: ${SUITE_CATEGORIES.join(', ')}`]);
    expect(await fs.pathExists(out) ? await fs.readdir(out) : []).to.deep.equal([]);
  });

  it('--list names every check with its expectation, and --json prints result.json', async () => {
    const list = await runCli(['suite', '--list']);
    expect(list.exitCode).to.equal(0);
    expect(list.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/)[0])).to.deep.equal(SUITE_CHECKS.map((check) => check.id));
    const out = tempDir();
    const json = await runCli(['suite', 'validation', '--seed', '2', '--out', out, '--json', '--quiet']);
    expect(json.exitCode, json.stderr).to.equal(0);
    const printed = JSON.parse(json.stdout) as SuiteResult;
    expect(printed).to.deep.equal(await fs.readJson(join(await onlyRunFolder(out), 'result.json')));
  });
});
