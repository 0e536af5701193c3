import { escapeHtml, redactSecrets } from '../report/html.js';
import { describeAnswer } from './answer.js';
import type { CheckVerdict, Evidence, SuiteResult } from './types.js';

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
.pass{color:#176f2c}.fail{color:#b3261e;font-weight:600}.error{color:#8a4b00;font-weight:600}.skipped{color:#666}code,pre{font:12px/1.4 ui-monospace,monospace}pre{white-space:pre-wrap;margin:0}
details{margin:.4em 0}summary{cursor:pointer}.cleanup{color:#777}`;

function evidenceRows(evidence: readonly Evidence[]): string {
  if (evidence.length === 0) return '<p>No statement was sent.</p>';
  const rows = evidence.map(
    (entry) =>
      `<tr class="${entry.cleanup ? 'cleanup' : ''}"><td>${escapeHtml(entry.session)}${entry.cleanup ? ' (cleanup)' : ''}</td><td><pre>${escapeHtml(redactSecrets(entry.statement))}</pre></td><td><pre>${escapeHtml(redactSecrets(describeAnswer(entry.answer)))}${entry.answer.rows && entry.answer.rows.length > 0 ? `\n${escapeHtml(JSON.stringify(entry.answer.rows))}` : ''}</pre></td><td>${entry.repeated && entry.repeated > 1 ? `×${entry.repeated}` : ''}</td><td>${entry.answer.ms} ms</td></tr>`,
  );
  return `<table><tr><th>session</th><th>statement</th><th>answer</th><th>times</th><th>took</th></tr>${rows.join('')}</table>`;
}

function checkSection(check: CheckVerdict): string {
  const problems = check.problems.length > 0 ? `<ul>${check.problems.map((problem) => `<li>${escapeHtml(problem)}</li>`).join('')}</ul>` : '';
  const reason = check.reason ? `<p>${escapeHtml(check.reason)}</p>` : '';
  const figures = check.figures ? `<p>${Object.entries(check.figures).map(([name, value]) => `${escapeHtml(name)} = ${escapeHtml(value)}`).join(', ')}</p>` : '';
  return `<details${check.outcome === 'pass' || check.outcome === 'skipped' ? '' : ' open'} id="${escapeHtml(check.id)}"><summary><span class="${check.outcome}">${check.outcome.toUpperCase()}</span> <code>${escapeHtml(check.id)}</code>: ${escapeHtml(check.expectation)}</summary>${problems}${reason}${figures}${check.expectedFor ? `<p>Expectations for: ${escapeHtml(check.expectedFor.join(', '))}</p>` : ''}${check.differences ? `<p>Differs from the seed plan: ${check.differences.map(escapeHtml).join('; ')}</p>` : ''}${evidenceRows(check.evidence)}</details>`;
}

/** The suite run on one self-contained page: verdict, target, a line per check, and each check's statements and answers. */
export function renderSuiteHtml(result: SuiteResult): string {
  const totals = Object.entries(result.totals).map(([outcome, count]) => `${count} ${outcome}`).join(', ');
  const summary = result.checks
    .map((check) => `<tr><td class="${check.outcome}">${check.outcome}</td><td><a href="#${escapeHtml(check.id)}"><code>${escapeHtml(check.id)}</code></a></td><td>${escapeHtml(check.expectation)}</td><td>${(check.durationMs / 1000).toFixed(1)} s</td></tr>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>kalam-chaos suite: ${escapeHtml(result.verdict)}</title><style>${STYLE}</style></head>
<body>
<h1>kalam-chaos suite <span class="${result.verdict === 'pass' ? 'pass' : 'fail'}">${escapeHtml(result.verdict.toUpperCase())}</span></h1>
<table>
<tr><th>categories</th><td>${escapeHtml(result.categories.join(', '))}</td></tr>
<tr><th>target</th><td>${escapeHtml(String(result.target.kind))}: <code>${escapeHtml(String(result.target.command))}</code>${Array.isArray(result.target.defects) && result.target.defects.length > 0 ? ` (defects: ${escapeHtml(result.target.defects.join(', '))})` : ''}</td></tr>
<tr><th>server version</th><td>${escapeHtml(result.server.version ?? 'unknown')}${result.server.readyMs !== undefined ? ` (ready in ${result.server.readyMs} ms)` : ''}</td></tr>
<tr><th>checks</th><td>${escapeHtml(totals)}</td></tr>
<tr><th>started</th><td>${escapeHtml(result.startedAt)} (${(result.durationMs / 1000).toFixed(1)} s, seed ${result.seed})</td></tr>
${result.error ? `<tr><th>error</th><td class="error">${escapeHtml(result.error.step)}: ${escapeHtml(result.error.message)}</td></tr>` : ''}
</table>
<h2>Checks</h2>
<table><tr><th>outcome</th><th>check</th><th>expectation</th><th>took</th></tr>${summary}</table>
<h2>Evidence</h2>
${result.checks.map(checkSection).join('\n')}
</body></html>
`;
}
