import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import fs from 'fs-extra';
import type { RunResult } from '../../src/report/result.js';
import { onlyRunFolder, readResult, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';
import { defectRun } from './defect-run.js';

type Node = Record<string, unknown>;
const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function expectType(value: unknown, type: string, what: string): void {
  if (type === 'array') expect(value, what).to.be.an('array');
  else if (type === 'integer') expect(Number.isInteger(value), `${what} is an integer (${JSON.stringify(value)})`).to.equal(true);
  else if (type === 'iso-date') expect(typeof value === 'string' && !Number.isNaN(Date.parse(value)), `${what} is an ISO date`).to.equal(true);
  else expect(typeof value, what).to.equal(type);
}

/** The result.json contract documented in the README ("The run folder"). */
function expectResultSchema(result: RunResult): void {
  const top: Record<string, string> = {
    schemaVersion: 'integer', tool: 'object', scenario: 'string', seed: 'integer', verdict: 'string', exitCode: 'integer',
    startedAt: 'iso-date', finishedAt: 'iso-date', durationMs: 'integer', target: 'object', parameters: 'object',
    schedule: 'array', cycles: 'array', totals: 'object', violations: 'array', coverage: 'array', files: 'object',
  };
  for (const [field, type] of Object.entries(top)) expectType((result as unknown as Node)[field], type, `result.${field}`);
  expect(result.schemaVersion).to.equal(2);
  expect(result.tool.name).to.equal('kalam-chaos');
  expect(['pass', 'fail', 'inconclusive', 'error', 'interrupted']).to.include(result.verdict);
  for (const field of ['kind', 'command', 'auth', 'dataDir']) expectType((result.target as Node)[field], 'string', `target.${field}`);
  expectType(result.parameters.cycles, 'integer', 'parameters.cycles');
  expectType(result.parameters.faults, 'array', 'parameters.faults');
  for (const fault of result.parameters.faults as Node[]) expectType(fault.kind, 'string', 'parameters.faults[].kind');
  expectType((result.parameters.workload as Node).writers, 'integer', 'parameters.workload.writers');
  expectType(result.parameters.timeouts, 'object', 'parameters.timeouts');
  expect(result.schedule).to.have.length(result.parameters.cycles as number);
  for (const cycle of result.cycles) {
    expectType(cycle.cycle, 'integer', 'cycles[].cycle');
    expectType(cycle.trigger, 'object', 'cycles[].trigger');
    for (const field of ['acksThisCycle', 'inFlight', 'atMs']) expectType((cycle.fault as unknown as Node)[field], 'integer', `cycles[].fault.${field}`);
    expectType(cycle.fault?.delivered, 'boolean', 'cycles[].fault.delivered');
    for (const field of ['acknowledged', 'failed', 'indeterminate']) expectType((cycle.rows as unknown as Node)[field], 'integer', `cycles[].rows.${field}`);
    expectType(cycle.restart?.incarnation, 'integer', 'cycles[].restart.incarnation');
    expectType(cycle.checks, 'array', 'cycles[].checks');
    for (const check of cycle.checks) {
      expectType(check.check, 'string', 'checks[].check');
      expectType(check.ok, 'boolean', 'checks[].ok');
      expectType(check.violations, 'integer', 'checks[].violations (a count; the records are in result.violations)');
    }
    if (cycle.gaps !== undefined) expectType(cycle.gaps, 'array', 'cycles[].gaps');
  }
  expectType(result.totals.requests, 'integer', 'totals.requests');
  for (const record of result.violations) {
    expectType(record.id, 'string', 'violations[].id');
    expectType(record.cycle, 'integer', 'violations[].cycle');
    expectType(record.seenInCycles, 'array', 'violations[].seenInCycles');
    expect(record.seenInCycles, 'violations[].seenInCycles includes the first cycle').to.include(record.cycle);
    expectType(record.check, 'string', 'violations[].check');
    expectType(record.violation.kind, 'string', 'violations[].violation.kind');
  }
  expect(result.violations.map((record) => record.id), 'violation ids V1, V2 ... in order').to.deep.equal(result.violations.map((_, index) => `V${index + 1}`));
  for (const gap of result.coverage) {
    expectType(gap.cycle, 'integer', 'coverage[].cycle');
    expectType(gap.kind, 'string', 'coverage[].kind');
    expectType(gap.detail, 'string', 'coverage[].detail');
  }
  expectType(result.files.history, 'string', 'files.history');
  expectType(result.files.servers, 'array', 'files.servers');
}

function parseJunit(xml: string): { suite: Node; cases: Node[] } {
  const valid = XMLValidator.validate(xml);
  expect(valid, JSON.stringify(valid)).to.equal(true);
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false }).parse(xml) as Node;
  const suites = asArray((parsed.testsuites as Node).testsuite as Node | Node[]);
  expect(suites).to.have.length(1);
  return { suite: suites[0]!, cases: asArray(suites[0]!.testcase as Node | Node[]) };
}

describe('run folder artifacts, report and replay (through the CLI)', function () {
  this.timeout(120_000);
  const tempDir = useTempDir();

  it('a defect run leaves result.json as documented, junit.xml failures naming lost, and report.html', async () => {
    const { runDir, exitCode, output } = await defectRun(join(tempDir()));
    expect(exitCode, output).to.equal(1);
    const result = await readResult(runDir);
    expectResultSchema(result);
    expect(result).to.include({ scenario: 'kill-mid-insert', seed: 3, verdict: 'fail', exitCode: 1 });
    expect(result.target).to.deep.include({ kind: 'reference', defects: ['ack-before-write'], ackDelayMs: 200 });
    expect(result.violations.map((record) => record.violation.kind)).to.include('lost');

    const { suite, cases } = parseJunit(await fs.readFile(join(runDir, 'junit.xml'), 'utf8'));
    expect(suite['@name']).to.equal('kalam-chaos.kill-mid-insert seed=3');
    const expectedNames = result.cycles.flatMap((cycle) => cycle.checks.map((check) => `cycle ${cycle.cycle}: ${check.check}`));
    expect(cases.map((testcase) => testcase['@name'])).to.include.members(expectedNames);
    expect(cases.every((testcase) => testcase['@classname'] === 'kalam-chaos.kill-mid-insert')).to.equal(true);
    const failures = cases.filter((testcase) => testcase.failure !== undefined);
    expect(failures.length).to.be.greaterThan(0);
    expect(suite['@failures']).to.equal(String(failures.length));
    for (const testcase of failures) {
      const failure = testcase.failure as Node;
      expect(failure['@type']).to.equal('lost');
      expect(String(failure['#text'])).to.match(/^lost: \d+ acknowledged row\(s\) missing from chaos\./);
    }
    const html = await fs.readFile(join(runDir, 'report.html'), 'utf8');
    expect(html).to.match(/^<!DOCTYPE html>/);
    expect(html).to.contain('<svg id="timeline"');
  });

  it('report regenerates junit.xml and report.html, and refuses a folder without result.json (exit 2, one line)', async () => {
    const { runDir, output } = await defectRun(tempDir());
    const junit = await fs.readFile(join(runDir, 'junit.xml'), 'utf8');
    const html = await fs.readFile(join(runDir, 'report.html'), 'utf8');
    await fs.remove(join(runDir, 'junit.xml'));
    await fs.remove(join(runDir, 'report.html'));
    const report = await runCli(['report', runDir]);
    expect(report.exitCode, report.stderr + output).to.equal(0);
    expect(report.stdout.trim().split('\n')).to.deep.equal([join(runDir, 'junit.xml'), join(runDir, 'report.html')]);
    expect(await fs.readFile(join(runDir, 'junit.xml'), 'utf8')).to.equal(junit);
    expect(await fs.readFile(join(runDir, 'report.html'), 'utf8')).to.equal(html);

    const empty = join(tempDir(), 'empty');
    await mkdir(empty);
    const refused = await runCli(['report', empty]);
    expect(refused.exitCode).to.equal(2);
    expect(refused.stderr.trim().split('\n')).to.have.length(1);
    expect(refused.stderr).to.contain('has no result.json');
    const replayRefused = await runCli(['replay', empty]);
    expect(replayRefused.exitCode).to.equal(2);
    expect(replayRefused.stderr.trim().split('\n')).to.have.length(1);
  });

  it('replay of the defect run reproduces its lost rows with the same seed and schedule', async () => {
    const { runDir } = await defectRun(join(tempDir(), 'original'));
    const original = await readResult(runDir);
    const out = join(tempDir(), 'replays');
    const replay = await runCli(['replay', runDir, '--out', out, '--quiet']);
    const output = `exit ${replay.exitCode}\n${replay.stdout}\n${replay.stderr}`;
    expect(replay.exitCode, output).to.equal(0);
    expect(replay.stdout, output).to.match(/^reproduced: same verdict \(fail\) and the same violation kinds \(lost\)$/m);
    expect(replay.stdout).to.match(/^ {2}lost: original yes \(\d+\), replay yes \(\d+\)$/m);
    const again = await readResult(await onlyRunFolder(out));
    expect(again).to.include({ scenario: original.scenario, seed: original.seed, verdict: 'fail' });
    expect(again.schedule).to.deep.equal(original.schedule);
    expect(again.target).to.deep.include({ kind: 'reference', defects: ['ack-before-write'], ackDelayMs: 200 });
    expect(again.parameters).to.deep.equal(original.parameters);
    expect(await fs.pathExists(join(await onlyRunFolder(out), 'report.html'))).to.equal(true);
  });

  it('replay exits 1 when the original verdict and violation kinds do not come back', async () => {
    const { runDir } = await defectRun(join(tempDir(), 'original'));
    // Pretend the original run passed: the replay still loses rows, so it cannot reproduce it.
    const original = await readResult(runDir);
    await fs.writeJson(join(runDir, 'result.json'), { ...original, verdict: 'pass', exitCode: 0, violations: [] }, { spaces: 2 });
    const replay = await runCli(['replay', runDir, '--out', join(tempDir(), 'replays'), '--quiet']);
    const output = `exit ${replay.exitCode}\n${replay.stdout}\n${replay.stderr}`;
    expect(replay.exitCode, output).to.equal(1);
    expect(replay.stdout, output).to.match(/^NOT reproduced: verdict pass -> fail violation kinds none -> lost$/m);
    expect(replay.stdout).to.match(/^ {2}lost: original no, replay yes \(\d+\) {2}<- differs$/m);
  });
});
