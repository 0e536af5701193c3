import { expect } from 'chai';
import { manifestsUnder } from '../support/manifests.js';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fs from 'fs-extra';
import { onlyRunFolder, readResult, runCli } from '../support/cli.js';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import { inspectDataDir, type Inspection } from '../../src/storage/inspect.js';
import { parseJsonExact } from '../../src/storage/json.js';
import { EXIT_CODES } from '../../src/report/result.js';

/**
 * The storage inspector against a cold tier written by the real kalamdb-server: no guessed format
 * may raise a finding there, and the manifest-vs-footer checks must have compared real segments.
 */
/** Warnings a kill legitimately leaves on the tier, which the binary never cleans up on restart. */
const LEFT_BY_A_KILL = new Set(['orphan-parquet', 'leftover-tmp']);

/**
 * Findings other than what a kill legitimately leaves: a kill between a segment's rename and its
 * manifest's leaves an orphan segment, and one while the segment is written leaves its
 * `batch-N.parquet.tmp` (phase random lands on either now and then). Anything else on a
 * binary-written tier would be a format we guessed wrong.
 */
function guessed(inspection: Inspection): Inspection['findings'] {
  return inspection.findings.filter((finding) => !(LEFT_BY_A_KILL.has(finding.kind) && finding.severity === 'warning'));
}

describe('inspect on a data directory written by the real kalamdb-server', function () {
  this.timeout(240_000);
  let root: string | undefined;
  let runDir: string;
  let dataDir: string;

  before(async function () {
    const serverBin = requireKalamdbBinary(this);
    root = await mkdtemp(join(tmpdir(), 'kalam-chaos-e2e-kalamdb-inspect-'));
    const run = await runCli(
      ['run', 'kill-mid-flush', '--workload', 'append', '--target', 'kalamdb', '--server-bin', serverBin, '--cycles', '2', '--seed', '1', '--out', root, '--quiet'],
      { timeoutMs: 200_000 },
    );
    // A database violation (exit 1) still leaves a data directory to inspect; a tool error does not.
    expect(run.exitCode, run.stderr + run.stdout).to.be.oneOf([EXIT_CODES.pass, EXIT_CODES.fail]);
    runDir = await onlyRunFolder(root);
    const result = await readResult(runDir);
    expect(result.cycles.length, `run folder ${runDir}`).to.equal(2);
    dataDir = join(runDir, 'data');
  });

  after(async () => {
    if (root) await fs.remove(root);
  });

  it('the binary writes compact manifests with a string table_id and a batch number in last_sequence_number', async () => {
    const found = await manifestsUnder(join(dataDir, 'storage'));
    expect(found.length, `run folder ${runDir}`).to.be.greaterThan(0);
    for (const path of found) {
      const text = await readFile(path, 'utf8');
      expect(text.trim().split('\n'), path).to.have.length(1);
      const manifest = parseJsonExact(text) as { table_id: unknown; last_sequence_number: bigint | number; segments: { path: string; max_seq: bigint | number }[] };
      expect(manifest.table_id, path).to.be.a('string');
      const highestBatch = Math.max(...manifest.segments.map((segment) => Number(/batch-(\d+)\.parquet$/.exec(segment.path)?.[1] ?? -1)));
      if (manifest.segments.length > 0) expect(Number(manifest.last_sequence_number), path).to.equal(highestBatch);
    }
  });

  it('inspectDataDir reports every manifest and segment with zero findings, having compared each footer', async () => {
    const inspection = await inspectDataDir(dataDir);
    expect(guessed(inspection), `run folder ${runDir}`).to.deep.equal([]);
    expect(inspection.ok).to.equal(true);
    expect(inspection.totals.scopes).to.equal((await manifestsUnder(join(dataDir, 'storage'))).length);
    expect(inspection.totals.segments).to.be.greaterThan(0);
    expect(inspection.totals.rows).to.be.greaterThan(0);
    // row_count, size_bytes and the _seq range were checked against every committed segment file.
    expect(inspection.totals.segmentsChecked).to.equal(inspection.totals.segments);
  });

  it('kalam-chaos inspect DIR agrees and exits 0', async () => {
    const cli = await runCli(['inspect', dataDir, '--json']);
    expect(cli.exitCode, cli.stderr + cli.stdout).to.equal(0);
    const inspection = JSON.parse(cli.stdout) as Inspection;
    expect(guessed(inspection)).to.deep.equal([]);
    expect(inspection.totals.segmentsChecked).to.be.greaterThan(0);
    const human = await runCli(['inspect', dataDir]);
    expect(human.exitCode, human.stderr + human.stdout).to.equal(0);
    const verdict = human.stdout.trim().split('\n').at(-1);
    if (inspection.findings.length === 0) expect(verdict).to.match(/^storage: OK \(\d+ scopes?, [1-9]\d* segments?, [1-9]\d* rows?\)$/);
    else expect(verdict).to.equal(`storage: 0 violation(s), ${inspection.findings.length} warning(s)`);
  });

  it('the same checks do catch a binary-written manifest that disagrees with its segment', async () => {
    const copy = join(root!, 'damaged');
    await fs.copy(dataDir, copy);
    const [path] = await manifestsUnder(join(copy, 'storage'));
    const text = await readFile(path!, 'utf8');
    // Bump the first segment's row_count and size_bytes, keeping the binary's one-line shape.
    const damaged = text.replace(/"row_count":(\d+),"size_bytes":(\d+)/, (_m, rows: string, size: string) => `"row_count":${Number(rows) + 1},"size_bytes":${Number(size) + 1}`);
    expect(damaged).to.not.equal(text);
    await writeFile(path!, damaged);
    const inspection = await inspectDataDir(copy);
    expect(guessed(inspection).map((finding) => finding.kind).sort()).to.deep.equal(['row-count-mismatch', 'size-mismatch']);
  });
});
