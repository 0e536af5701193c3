import type { RunResult, ViolationRecord } from './result.js';
import { coverageGaps, cyclesSeen, describeCycleList, describeGap, describeInconclusive, describeViolation, recordId } from './summary.js';

/** Characters XML 1.0 does not allow at all (escaping cannot save them): replaced by U+FFFD. */
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for an XML attribute value or element content. */
export function escapeXml(value: unknown): string {
  return String(value)
    .replace(INVALID_XML_CHARS, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Testcase {
  readonly name: string;
  readonly failure?: { readonly message: string; readonly type: string; readonly body: string };
  readonly error?: { readonly message: string; readonly type: string; readonly body: string };
  readonly systemOut?: string;
}

interface NumberedRecord {
  readonly id: string;
  readonly record: ViolationRecord;
}

/** One line per violation: its summary, then its id and the cycles it was seen in. */
function describeForCycle({ id, record }: NumberedRecord, cycle: number): string {
  const seen = cyclesSeen(record);
  const where =
    record.cycle === cycle
      ? seen.length > 1 ? `first in cycle ${record.cycle}, seen in cycles ${describeCycleList(seen)}` : `first in cycle ${record.cycle}`
      : `persisting: first in cycle ${record.cycle}, seen in cycles ${describeCycleList(seen)}`;
  return `${describeViolation(record.violation)} (${id}, ${where})`;
}

function failureOf(records: readonly NumberedRecord[], cycle: number, counted: number): NonNullable<Testcase['failure']> {
  const summaries = records.map((numbered) => describeForCycle(numbered, cycle));
  const kinds = [...new Set(records.map(({ record }) => record.violation.kind))];
  const count = Math.max(counted, records.length);
  return {
    message: count > 0 ? `${count} violation(s): ${summaries[0] ?? ''}` : 'check failed',
    type: kinds.length > 0 ? kinds.join(',') : 'check-failed',
    body: summaries.length > 0 ? summaries.join('\n') : `the check failed with ${counted} violation(s) and none recorded in result.violations`,
  };
}

function testcasesOf(result: RunResult): Testcase[] {
  const cases: Testcase[] = [];
  const covered = new Set<string>();
  const numbered: NumberedRecord[] = result.violations.map((record, index) => ({ id: recordId(record, index), record }));
  // Violation details come from result.violations only: a record belongs to cycle c's check X when
  // it is X's and was seen in c (a violation that persists fails each cycle's testcase it was seen in).
  const recordsOf = (cycle: number, check: string) => numbered.filter(({ record }) => record.check === check && cyclesSeen(record).includes(cycle));
  for (const cycle of result.cycles) {
    for (const check of cycle.checks) {
      const key = `${cycle.cycle}\u0000${check.check}`;
      if (covered.has(key)) continue;
      covered.add(key);
      const records = recordsOf(cycle.cycle, check.check);
      const counted = typeof check.violations === 'number' ? check.violations : 0;
      const stats = check.stats ? Object.entries(check.stats).map(([name, value]) => `${name}=${value}`).join(' ') : '';
      cases.push({
        name: `cycle ${cycle.cycle}: ${check.check}`,
        ...(records.length > 0 || counted > 0 || !check.ok ? { failure: failureOf(records, cycle.cycle, counted) } : {}),
        ...(stats ? { systemOut: stats } : {}),
      });
    }
  }
  // Violations filed under no check of a cycle they were seen in (availability, recovery, the final storage inspection).
  const extra = new Map<string, { cycle: number; check: string; records: NumberedRecord[] }>();
  for (const entry of numbered) {
    for (const cycle of cyclesSeen(entry.record)) {
      const key = `${cycle}\u0000${entry.record.check}`;
      if (covered.has(key)) continue;
      const group = extra.get(key) ?? { cycle, check: entry.record.check, records: [] };
      group.records.push(entry);
      extra.set(key, group);
    }
  }
  const extras = [...extra.values()].sort((a, b) => a.cycle - b.cycle);
  for (const group of extras) cases.push({ name: `cycle ${group.cycle}: ${group.check}`, failure: failureOf(group.records, group.cycle, 0) });
  // Coverage gaps fail too: a run that tested too little (verdict inconclusive, exit 3) must not look
  // green in CI, and most JUnit readers count <skipped> as green. So each gap is a testcase with a
  // <failure type="inconclusive">, whatever the verdict (a gap alone makes a clean run inconclusive);
  // an inconclusive run without any listed gap still gets one such testcase.
  const gaps = coverageGaps(result);
  for (const gap of gaps) {
    cases.push({
      name: `${gap.cycle === 0 ? 'run' : `cycle ${gap.cycle}`}: coverage ${gap.kind}`,
      failure: { message: `tested too little: ${describeGap(gap)}`, type: 'inconclusive', body: describeGap(gap) },
    });
  }
  if (result.verdict === 'inconclusive' && gaps.length === 0) {
    cases.push({ name: 'inconclusive', failure: { message: describeInconclusive(result), type: 'inconclusive', body: describeInconclusive(result) } });
  }
  if (result.error) {
    cases.push({
      name: `error: ${result.error.step}`,
      error: { message: result.error.message, type: 'run-error', body: `error during "${result.error.step}": ${result.error.message}` },
    });
  }
  if (result.verdict === 'interrupted') {
    cases.push({ name: 'interrupted', error: { message: `run interrupted (exit ${result.exitCode})`, type: 'interrupted', body: `the run was interrupted after ${result.cycles.length} cycle(s)` } });
  }
  if (cases.length === 0) cases.push({ name: 'run' });
  return cases;
}

function renderTestcase(testcase: Testcase, classname: string): string {
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(testcase.name)}" time="0"`;
  const inner: string[] = [];
  if (testcase.failure) {
    inner.push(`      <failure message="${escapeXml(testcase.failure.message)}" type="${escapeXml(testcase.failure.type)}">${escapeXml(testcase.failure.body)}</failure>`);
  }
  if (testcase.error) {
    inner.push(`      <error message="${escapeXml(testcase.error.message)}" type="${escapeXml(testcase.error.type)}">${escapeXml(testcase.error.body)}</error>`);
  }
  if (testcase.systemOut) inner.push(`      <system-out>${escapeXml(testcase.systemOut)}</system-out>`);
  return inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n    </testcase>`;
}

/**
 * JUnit XML for one run: one testsuite, one testcase per cycle × check (as Jenkins, GitLab and
 * GitHub reporters read it), plus a failing testcase per coverage gap (see testcasesOf).
 */
export function renderJunit(result: RunResult): string {
  const classname = `kalam-chaos.${result.scenario}`;
  const cases = testcasesOf(result);
  const failures = cases.filter((testcase) => testcase.failure).length;
  const errors = cases.filter((testcase) => testcase.error).length;
  const seconds = (Math.max(0, result.durationMs ?? 0) / 1000).toFixed(3);
  const defects = Array.isArray(result.target.defects) ? (result.target.defects as unknown[]).join(',') : '';
  const properties: Array<[string, unknown]> = [
    ['scenario', result.scenario],
    ['seed', result.seed],
    ['verdict', result.verdict],
    ['exitCode', result.exitCode],
    ['target', result.target.kind],
    ...(defects ? ([['defects', defects]] as Array<[string, unknown]>) : []),
    ['cycles', result.cycles.length],
    ['requests', result.totals.requests],
    ['rows.acknowledged', result.totals.rows.acknowledged],
    ['rows.indeterminate', result.totals.rows.indeterminate],
    ['rows.failed', result.totals.rows.failed],
    ['violations', result.violations.length],
    ['coverage.gaps', coverageGaps(result).length],
    ['tool.version', result.tool.version],
  ];
  const suiteName = `${classname} seed=${result.seed}`;
  const counts = `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kalam-chaos" ${counts}>`,
    `  <testsuite name="${escapeXml(suiteName)}" ${counts} timestamp="${escapeXml(result.startedAt)}" hostname="localhost">`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`),
    '    </properties>',
    ...cases.map((testcase) => renderTestcase(testcase, classname)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
