import { escapeXml } from '../report/junit.js';
import { describeAnswer } from './answer.js';
import type { CheckVerdict, Evidence, SuiteResult } from './types.js';

function evidenceLines(evidence: readonly Evidence[]): string[] {
  return evidence.map((entry) => `${entry.cleanup ? '(cleanup) ' : ''}[${entry.session}] ${entry.statement}${entry.repeated && entry.repeated > 1 ? ` ×${entry.repeated}` : ''}\n  → ${describeAnswer(entry.answer)}`);
}

function testcase(check: CheckVerdict): string {
  const open = `    <testcase classname="kalam-chaos.suite.${escapeXml(check.category)}" name="${escapeXml(check.id)}" time="${(check.durationMs / 1000).toFixed(3)}">`;
  const out = `      <system-out>${escapeXml([check.expectation, ...evidenceLines(check.evidence)].join('\n'))}</system-out>`;
  switch (check.outcome) {
    case 'pass':
      return [open, out, '    </testcase>'].join('\n');
    case 'skipped':
      return [open, `      <skipped message="${escapeXml(check.reason ?? 'skipped')}"/>`, '    </testcase>'].join('\n');
    case 'fail':
      return [open, `      <failure message="${escapeXml(check.problems[0] ?? 'check failed')}" type="expectation">${escapeXml(check.problems.join('\n'))}</failure>`, out, '    </testcase>'].join('\n');
    case 'error':
      return [open, `      <error message="${escapeXml(check.reason ?? 'error')}" type="tool-error">${escapeXml(check.reason ?? '')}</error>`, out, '    </testcase>'].join('\n');
  }
}

/** One testsuite per category, one testcase per check; the run's own error is a testcase of its own. */
export function renderSuiteJunit(result: SuiteResult): string {
  const suites = result.categories.map((category) => {
    const checks = result.checks.filter((check) => check.category === category);
    const count = (outcome: CheckVerdict['outcome']) => checks.filter((check) => check.outcome === outcome).length;
    const time = checks.reduce((sum, check) => sum + check.durationMs, 0) / 1000;
    const properties = [
      ['verdict', result.verdict],
      ['target', String(result.target.kind)],
      ['server-version', result.server.version ?? 'unknown'],
      ['seed', String(result.seed)],
    ]
      .map(([name, value]) => `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`)
      .join('\n');
    return [
      `  <testsuite name="kalam-chaos.suite.${escapeXml(category)}" tests="${checks.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skipped')}" time="${time.toFixed(3)}" timestamp="${escapeXml(result.startedAt)}">`,
      `    <properties>\n${properties}\n    </properties>`,
      ...checks.map(testcase),
      '  </testsuite>',
    ].join('\n');
  });
  if (result.error) {
    suites.push(
      [
        `  <testsuite name="kalam-chaos.suite" tests="1" failures="0" errors="1" skipped="0" time="0">`,
        `    <testcase classname="kalam-chaos.suite" name="${escapeXml(result.error.step)}">`,
        `      <error message="${escapeXml(result.error.message.split('\n')[0] ?? '')}" type="tool-error">${escapeXml(result.error.message)}</error>`,
        '    </testcase>',
        '  </testsuite>',
      ].join('\n'),
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="kalam-chaos suite">\n${suites.join('\n')}\n</testsuites>\n`;
}
