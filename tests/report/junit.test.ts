import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderJunit } from '../../src/report/junit.js';
import type { RunResult } from '../../src/report/result.js';
import { inconclusiveResult, persistingResult, sampleResult } from './sample-result.js';

type Node = Record<string, unknown>;
const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function parse(xml: string): { suites: Node; suite: Node; cases: Node[] } {
  const valid = XMLValidator.validate(xml);
  expect(valid, JSON.stringify(valid)).to.equal(true);
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseAttributeValue: false, parseTagValue: false }).parse(xml) as Node;
  const suites = parsed.testsuites as Node;
  expect(suites, 'a <testsuites> root').to.be.an('object');
  const suiteList = asArray(suites.testsuite as Node | Node[]);
  expect(suiteList, 'one testsuite per run').to.have.length(1);
  const suite = suiteList[0]!;
  return { suites, suite, cases: asArray(suite.testcase as Node | Node[]) };
}

describe('renderJunit', () => {
  it('writes one testcase per cycle and check, failures carrying the violation summaries', () => {
    const result = sampleResult();
    const { suites, suite, cases } = parse(renderJunit(result));
    const checkCount = result.cycles.reduce((sum, cycle) => sum + cycle.checks.length, 0);
    expect(cases.map((testcase) => testcase['@name'])).to.include.members(['cycle 1: acknowledged-writes', 'cycle 1: metadata', 'cycle 2: acknowledged-writes', 'cycle 2: metadata']);
    // + the availability violation filed under no check, + the error
    expect(cases).to.have.length(checkCount + 2);
    for (const testcase of cases) expect(testcase['@classname']).to.equal('kalam-chaos.kill-mid-insert');
    const failed = cases.filter((testcase) => testcase.failure !== undefined);
    expect(failed.map((testcase) => testcase['@name'])).to.deep.equal(['cycle 1: acknowledged-writes', 'cycle 2: availability']);
    const failure = failed[0]!.failure as Node;
    expect(failure['@type']).to.equal('lost');
    expect(String(failure['#text'])).to.contain('lost: 3 acknowledged row(s) missing from chaos.user_<rows> & "co" (user al\'ice): 7, 8, 9 (V1, first in cycle 1)');
    expect(suite['@tests']).to.equal(String(cases.length));
    expect(suite['@failures']).to.equal('2');
    expect(suite['@errors']).to.equal('1');
    expect(suites['@tests']).to.equal(String(cases.length));
    const errorCase = cases.find((testcase) => testcase.error !== undefined)!;
    expect(errorCase['@name']).to.equal('error: cycle 2: checks <x>');
    expect((errorCase.error as Node)['@message']).to.equal('boom & <bust> "quoted" \uFFFD');
  });

  it('writes a passing run as testcases without failures', () => {
    const base = sampleResult();
    const result: RunResult = {
      ...base,
      verdict: 'pass',
      exitCode: 0,
      violations: [],
      error: undefined,
      cycles: base.cycles.map((cycle) => ({ ...cycle, checks: cycle.checks.map((check) => ({ ...check, ok: true, violations: 0 })) })),
    };
    const { suite, cases } = parse(renderJunit(result));
    expect(cases).to.have.length(4);
    expect(cases.every((testcase) => testcase.failure === undefined && testcase.error === undefined)).to.equal(true);
    expect(suite['@failures']).to.equal('0');
    expect(suite['@errors']).to.equal('0');
  });

  it('reports a persisting violation once per cycle it was seen in, from its single record', () => {
    const { suite, cases } = parse(renderJunit(persistingResult()));
    expect(cases).to.have.length(6);
    const failed = cases.filter((testcase) => testcase.failure !== undefined);
    expect(failed.map((testcase) => testcase['@name'])).to.deep.equal(['cycle 1: acknowledged-writes', 'cycle 2: acknowledged-writes', 'cycle 3: acknowledged-writes']);
    const bodies = failed.map((testcase) => String((testcase.failure as Node)['#text']));
    for (const body of bodies) expect(body.split('\n'), 'one line: the one record').to.have.length(1);
    expect(bodies[0]).to.equal('lost: 2 acknowledged row(s) missing from chaos.shared_rows: 41, 42 (V1, first in cycle 1, seen in cycles 1-3)');
    expect(bodies[2]).to.equal('lost: 2 acknowledged row(s) missing from chaos.shared_rows: 41, 42 (V1, persisting: first in cycle 1, seen in cycles 1-3)');
    expect(failed.map((testcase) => (testcase.failure as Node)['@type'])).to.deep.equal(['lost', 'lost', 'lost']);
    expect((failed[1]!.failure as Node)['@message']).to.match(/^1 violation\(s\): lost: /);
    expect(suite['@failures']).to.equal('3');
    expect(suite['@errors']).to.equal('0');
  });

  it('does not let an inconclusive run look green: each coverage gap is a failing testcase', () => {
    const { suite, cases } = parse(renderJunit(inconclusiveResult()));
    const checks = cases.filter((testcase) => String(testcase['@name']).match(/^cycle \d: (acknowledged-writes|metadata)$/));
    expect(checks).to.have.length(4);
    expect(checks.every((testcase) => testcase.failure === undefined)).to.equal(true);
    const failed = cases.filter((testcase) => testcase.failure !== undefined);
    expect(failed.map((testcase) => testcase['@name'])).to.deep.equal(['run: coverage no-acknowledged-write', 'cycle 2: coverage fault-not-delivered']);
    for (const testcase of failed) expect((testcase.failure as Node)['@type']).to.equal('inconclusive');
    // the gap is listed in result.coverage and in its cycle's gaps: one testcase
    expect(String((failed[1]!.failure as Node)['#text'])).to.equal('cycle 2 fault-not-delivered: the server <had> exited & "stopped" before the kill');
    expect(suite['@failures']).to.equal('2');
    expect(suite['@tests']).to.equal('6');
    const properties = asArray((suite.properties as Node).property as Node | Node[]);
    expect(properties.find((property) => property['@name'] === 'verdict')?.['@value']).to.equal('inconclusive');
    expect(properties.find((property) => property['@name'] === 'exitCode')?.['@value']).to.equal('3');
  });

  it('fails an inconclusive run even when it lists no gap', () => {
    const { suite, cases } = parse(renderJunit({ ...inconclusiveResult(), coverage: [], cycles: inconclusiveResult().cycles.map(({ gaps: _gaps, ...cycle }) => cycle) }));
    expect(cases.filter((testcase) => testcase.failure !== undefined).map((testcase) => testcase['@name'])).to.deep.equal(['inconclusive']);
    expect(suite['@failures']).to.equal('1');
  });
});
