import { expect } from 'chai';
import { renderHtmlReport, redactSecrets, slimHistoryRecord, type HistoryRecord } from '../../src/report/html.js';
import { inconclusiveResult, persistingResult, sampleResult } from './sample-result.js';

const history: HistoryRecord[] = [
  { event: 'run-start', t: 0 },
  { event: 'server-ready', t: 100, incarnation: 0, readyMs: 90 },
  { event: 'resources', t: 200, incarnation: 0, cpuPercent: 35, memoryBytes: 80 * 1024 * 1024 },
  slimHistoryRecord({ event: 'request', t: 300, requestId: 1, cycle: 1, ids: [1, 2, 3], writer: 0 })!,
  slimHistoryRecord({ event: 'request', t: 310, requestId: 2, cycle: 1, ids: [4], writer: 1 })!,
  slimHistoryRecord({ event: 'response', t: 400, requestId: 1, cycle: 1, outcome: 'acknowledged', latencyMs: 100 })!,
  { event: 'kill', t: 1000, cycle: 1, incarnation: 0, signal: 'SIGKILL', acksThisCycle: 1, inFlight: 1 },
  { event: 'server-exit', t: 1010, incarnation: 0, exitCode: null, signal: 'SIGKILL', expected: true },
  { event: 'flush-kill', t: 1005, cycle: 1, table: 'shared_rows', intended: 'tmp-written', trigger: 'watch' },
  { event: 'corruption', t: 1500, cycle: 2, corruption: { file: 'manifest', kind: 'truncate' }, path: 'storage/x/manifest.json', detail: 'cut' },
  { event: 'server-ready', t: 1600, incarnation: 1, readyMs: 80 },
  { event: 'run-end', t: 3000 },
];

describe('renderHtmlReport', () => {
  it('draws the timeline with series, points and markers, a row per cycle and every lost id', () => {
    const html = renderHtmlReport(sampleResult(), history, { 0: ['[stdout] started', '[stderr] <b>oops</b>'], 1: [] });
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect(svg.match(/<path class="series" d="M/g)?.length, 'acks and in-flight paths (a lone resource sample is a point)').to.equal(2);
    expect(svg.match(/<circle class="point"/g)?.length, 'one point per resources sample and metric').to.equal(2);
    for (const kind of ['kill', 'restart', 'flush-kill', 'corruption']) expect(svg, `a ${kind} marker`).to.contain(`data-kind="${kind}"`);
    expect(svg).to.contain('manifest:truncate');
    expect(html.match(/<tr data-cycle="\d+">/g)).to.have.length(2);
    expect(html).to.contain('<li id="V1" data-kind="lost" data-cycle="1" data-seen-in="1">');
    expect(html).to.contain('<code class="ids">7, 8, 9</code>');
    expect(html).to.contain('href="#V1"');
    expect(html).to.contain('<td class="fail" data-check="acknowledged-writes" data-violations="1">FAIL (1) <a href="#V1">V1</a></td>');
    expect(html).to.contain('<li id="V2" data-kind="unavailable"');
    expect(html).to.contain('<span class="verdict verdict-fail">FAIL</span>');
    expect(html).not.to.contain('id="coverage"');
    expect(html).to.contain('parameters.faults</th><td>kill {&quot;trigger&quot;:{&quot;kind&quot;:&quot;acks&quot;,&quot;min&quot;:1,&quot;max&quot;:2},&quot;signal&quot;:&quot;SIGKILL&quot;}</td>');
  });

  it('lists a persisting violation once, with its cycles, and counts it in every cycle it was seen in', () => {
    const html = renderHtmlReport(persistingResult(), history, {});
    expect(html.match(/<li id="V1"/g)).to.have.length(1);
    expect(html.match(/<ol class="violations">[\s\S]*?<\/ol>/)![0].match(/<li /g)).to.have.length(1);
    expect(html).to.contain('<li id="V1" data-kind="lost" data-cycle="1" data-seen-in="1 2 3"><b>V1</b> cycle 1 [acknowledged-writes]');
    expect(html).to.contain('(persisted through cycles 2-3; seen in cycles 1-3)');
    expect(html.match(/<tr data-cycle="\d+">/g)).to.have.length(3);
    expect(html).to.contain('FAIL (1) <a href="#V1">V1</a></td>');
    expect(html.match(/FAIL \(1\) <a href="#V1" class="persisting" title="first in cycle 1">V1↻<\/a><\/td>/g), 'cycles 2 and 3').to.have.length(2);
    expect(html).to.contain('1 violation(s), exit code 1');
  });

  it('shows an inconclusive run: its badge, why, and a Coverage section listing every gap', () => {
    const html = renderHtmlReport(inconclusiveResult(), history, {});
    expect(html).to.contain('<span class="verdict verdict-inconclusive">INCONCLUSIVE</span>');
    expect(html).to.match(/\.verdict-inconclusive\{background:#[0-9a-f]+\}/);
    const coverage = html.slice(html.indexOf('<section id="coverage">'), html.indexOf('<section id="violations">'));
    expect(coverage).to.contain('<h2>Coverage</h2>');
    expect(coverage).to.contain('INCONCLUSIVE: no violation and no error, but the run tested too little: no-acknowledged-write (the run); fault-not-delivered (cycle 2).');
    expect(coverage.match(/<li /g), 'the cycle-2 gap appears once').to.have.length(2);
    expect(coverage).to.contain('<li data-kind="no-acknowledged-write" data-cycle="0">the run: <span class="kind">no-acknowledged-write</span>: only 1 cycle of 2 had an acknowledged write</li>');
    expect(coverage).to.contain('cycle 2: <span class="kind">fault-not-delivered</span>: the server &lt;had&gt; exited &amp; &quot;stopped&quot; before the kill');
    expect(html).to.contain('<th>coverage</th>');
    expect(html).to.contain('<td class="gap"><a href="#coverage" title="the server &lt;had&gt; exited &amp; &quot;stopped&quot; before the kill">fault-not-delivered</a></td>');
    expect(html).to.contain('No violations, but the run tested too little');
    expect(html).not.to.contain('every check held');
    expect(html).to.contain('2 coverage gap(s)');
    expect(html).not.to.contain('<had>');
  });

  it('keeps a long run small: the in-flight line becomes per-bin maxima', () => {
    const long: HistoryRecord[] = [];
    for (let request = 0; request < 6000; request++) {
      long.push({ event: 'request', t: request * 10, requestId: request, rowCount: 1 });
      long.push({ event: 'response', t: request * 10 + 25, requestId: request, outcome: 'acknowledged' });
    }
    const html = renderHtmlReport({ ...sampleResult(), durationMs: 60_000 }, long, {});
    const paths = [...html.matchAll(/<path class="series" d="([^"]+)"/g)].map((match) => match[1]!);
    expect(paths).to.have.length(2);
    const inFlight = paths[1]!;
    expect(inFlight.split(/[HV]/).length, 'segments of the in-flight path').to.be.below(1000);
    expect(html).to.match(/in flight \(max per \d+ ms\)/);
    // 3 requests overlap at any moment (25 ms each, one every 10 ms): the maximum is drawn, not lost.
    expect(html).to.match(/<text x="\d+" y="[\d.]+" text-anchor="end" class="tick">3<\/text>/);
  });

  it('escapes every text it shows and fetches nothing', () => {
    const html = renderHtmlReport(sampleResult(), history, { 0: ['[stderr] <script>alert(1)</script>'] });
    expect(html).not.to.contain('<script>alert(1)');
    expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).to.contain('chaos.user_&lt;rows&gt; &amp; &quot;co&quot;');
    expect(html).not.to.contain('node <server>');
    expect(html).not.to.match(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.to.match(/@import|url\(/i);
    expect(html.match(/<script>/g), 'the one inline script').to.have.length(1);
    expect(html).to.contain("default-src 'none'");
  });

  it('blanks secret-looking values in server output', () => {
    expect(redactSecrets('root_password = "hunter2" port=1')).to.equal('root_password = "[redacted]" port=1');
    expect(redactSecrets('{"jwt_secret":"abc","x":1}')).to.equal('{"jwt_secret":"[redacted]","x":1}');
    expect(redactSecrets('Authorization: Bearer eyJabc.def')).to.equal('Authorization: [redacted]');
    const html = renderHtmlReport(sampleResult(), history, { 0: ['[stdout] KALAMDB_ROOT_PASSWORD=s3cr3t-value'] });
    expect(html).not.to.contain('s3cr3t-value');
  });
});
