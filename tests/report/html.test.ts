import { expect } from 'chai';
import { renderHtmlReport, redactSecrets, slimHistoryRecord, type HistoryRecord } from '../../src/report/html.js';
import { sampleResult } from './sample-result.js';

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
    expect(html).to.contain('<li id="V1" data-kind="lost">');
    expect(html).to.contain('<code class="ids">7, 8, 9</code>');
    expect(html).to.contain('href="#V1"');
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
