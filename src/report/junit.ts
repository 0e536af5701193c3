import type { Violation } from '../checker/types.js';
import type { RunResult } from './result.js';
import { describeViolation } from './summary.js';

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

function failureOf(violations: readonly Violation[]): Testcase['failure'] {
  const summaries = violations.map((violation) => describeViolation(violation));
  const kinds = [...new Set(violations.map((violation) => violation.kind))];
  return {
    message: `${violations.length} violation(s): ${summaries[0] ?? ''}`,
    type: kinds.join(','),
    body: summaries.join('\n'),
  };
}

function testcasesOf(result: RunResult): Testcase[] {
  const cases: Testcase[] = [];
  const covered = new Set<string>();
  for (const cycle of result.cycles) {
    for (const check of cycle.checks) {
      const key = `${cycle.cycle}\u0000${check.check}`;
      if (covered.has(key)) continue;
      covered.add(key);
      // The run's violation list is the authority: a check's own list, or the records filed under it.
      const recorded = result.violations.filter((record) => record.cycle === cycle.cycle && record.check === check.check).map((record) => record.violation);
      const violations = recorded.length > 0 ? recorded : check.violations;
      const stats = check.stats ? Object.entries(check.stats).map(([name, value]) => `${name}=${value}`).join(' ') : '';
      cases.push({
        name: `cycle ${cycle.cycle}: ${check.check}`,
        ...(violations.length > 0 || !check.ok ? { failure: failureOf(violations) } : {}),
        ...(stats ? { systemOut: stats } : {}),
      });
    }
  }
  // Violations filed under no check of a cycle (availability, recovery, the final storage inspection).
  const extra = new Map<string, { cycle: number; check: string; violations: Violation[] }>();
  for (const record of result.violations) {
    const key = `${record.cycle}\u0000${record.check}`;
    if (covered.has(key)) continue;
    const entry = extra.get(key) ?? { cycle: record.cycle, check: record.check, violations: [] };
    entry.violations.push(record.violation);
    extra.set(key, entry);
  }
  for (const entry of extra.values()) cases.push({ name: `cycle ${entry.cycle}: ${entry.check}`, failure: failureOf(entry.violations) });
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

/** JUnit XML for one run: one testsuite, one testcase per cycle × check (as Jenkins, GitLab and GitHub reporters read it). */
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
