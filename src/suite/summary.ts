import type { SuiteResult } from './types.js';

/** The lines printed at the end of `kalam-chaos suite`. */
export function formatSuiteSummary(result: SuiteResult, runDir: string): string {
  const totals = Object.entries(result.totals)
    .filter(([, count]) => count > 0)
    .map(([outcome, count]) => `${count} ${outcome}`)
    .join(', ');
  const lines = [`suite ${result.categories.join(' ')} against ${String(result.target.kind)} ${result.server.version ?? '(version unknown)'}: ${result.verdict.toUpperCase()} (${totals || 'no checks ran'}) in ${(result.durationMs / 1000).toFixed(1)} s`];
  for (const check of result.checks) {
    if (check.outcome === 'fail') lines.push(`  FAIL ${check.id}: ${check.problems[0] ?? ''}${check.problems.length > 1 ? ` (+${check.problems.length - 1} more)` : ''}`);
    if (check.outcome === 'error') lines.push(`  ERROR ${check.id}: ${check.reason ?? ''}`);
  }
  if (result.error) lines.push(`  error during "${result.error.step}": ${result.error.message.split('\n')[0]}`);
  lines.push(`run folder: ${runDir} (report.html, junit.xml, result.json)`);
  return lines.join('\n');
}
