import { expect } from 'chai';
import { manifestsUnder } from '../support/manifests.js';
import { mkdtemp, readFile, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import fs from 'fs-extra';
import { onlyRunFolder, readResult, runCli } from '../support/cli.js';
import type { Inspection } from '../../src/storage/inspect.js';

describe('kalam-chaos inspect (end to end, through the CLI)', function () {
  this.timeout(120_000);
  let root: string;
  let dataDir: string;

  // One passing kill-mid-flush run leaves a cold tier written by the reference server; the tests
  // inspect it, and the last one damages it.
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kalam-chaos-inspect-test-'));
    const run = await runCli(['run', 'kill-mid-flush', '--workload', 'append', '--phase', 'manifest-written', '--flush-delay-ms', '50', '--cycles', '1', '--seed', '81', '--out', root, '--quiet']);
    expect(run.exitCode, run.stderr + run.stdout).to.equal(0);
    const runDir = await onlyRunFolder(root);
    expect((await readResult(runDir)).verdict).to.equal('pass');
    dataDir = join(runDir, 'data');
  });

  after(async () => {
    if (root) await fs.remove(root);
  });

  it('reports the committed segments of a healthy data directory and exits 0', async () => {
    const cli = await runCli(['inspect', dataDir, '--json']);
    expect(cli.exitCode, cli.stderr + cli.stdout).to.equal(0);
    const inspection = JSON.parse(cli.stdout) as Inspection;
    expect(inspection.ok).to.equal(true);
    expect(inspection.violations).to.equal(0);
    const withRows = inspection.scopes.filter((scope) => scope.segments > 0 && scope.rows > 0);
    expect(withRows.length, JSON.stringify(inspection.scopes)).to.be.greaterThan(0);
    for (const scope of withRows) {
      expect(scope.namespace).to.equal('chaos');
      expect(scope.table).to.be.oneOf(['user_rows', 'shared_rows']);
    }
    expect(inspection.totals.segments).to.be.greaterThan(0);
    expect(inspection.totals.rows).to.be.greaterThan(0);

    const human = await runCli(['inspect', dataDir, '--scopes']);
    expect(human.exitCode, human.stderr + human.stdout).to.equal(0);
    expect(human.stdout).to.match(/^storage: OK \(\d+ scopes?, \d+ segments?, \d+ rows?\)$/m);
    expect(human.stdout).to.match(/^scope storage\/chaos\//m);
  });

  it('exits 1 and names the segment once a committed segment is truncated', async () => {
    let damaged: string | undefined;
    for (const manifest of await manifestsUnder(join(dataDir, 'storage'))) {
      const parsed = JSON.parse(await readFile(manifest, 'utf8')) as { segments: { path: string; status: string }[] };
      const segment = parsed.segments.find((s) => s.status === 'committed' && /^batch-.*\.parquet$/.test(s.path));
      if (segment) {
        damaged = join(manifest, '..', segment.path);
        break;
      }
    }
    expect(damaged, 'a committed batch-*.parquet named in some manifest.json').to.be.a('string');
    const size = (await stat(damaged!)).size;
    expect(size).to.be.greaterThan(1);
    await truncate(damaged!, Math.floor(size / 2));

    const cli = await runCli(['inspect', dataDir]);
    expect(cli.exitCode, cli.stderr + cli.stdout).to.equal(1);
    const relativePath = relative(dataDir, damaged!).split(sep).join('/');
    const lines = cli.stdout.split('\n').filter((line) => line.includes(relativePath));
    expect(lines.length, cli.stdout).to.be.greaterThan(0);
    expect(lines.some((line) => line.startsWith('VIOLATION ')), cli.stdout).to.equal(true);
    expect(cli.stdout).to.match(/^storage: [1-9]\d* violation\(s\)/m);

    const json = await runCli(['inspect', dataDir, '--json']);
    expect(json.exitCode).to.equal(1);
    const inspection = JSON.parse(json.stdout) as Inspection;
    expect(inspection.ok).to.equal(false);
    expect(inspection.findings.some((f) => f.severity === 'violation' && f.path === relativePath), json.stdout).to.equal(true);
  });

  it('exits 2 with one line for a missing data directory', async () => {
    const cli = await runCli(['inspect', '/nonexistent']);
    expect(cli.exitCode, cli.stderr + cli.stdout).to.equal(2);
    const lines = cli.stderr.split('\n').filter(Boolean);
    expect(lines, cli.stderr).to.have.length(1);
    expect(lines[0]).to.match(/^kalam-chaos: .*\/nonexistent/);
    expect(cli.stdout).to.equal('');
  });
});
