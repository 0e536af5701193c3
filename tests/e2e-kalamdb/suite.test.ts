import { expect } from 'chai';
import fs from 'fs-extra';
import { join } from 'node:path';
import type { SuiteResult } from '../../src/suite/types.js';
import { onlyRunFolder, runCli } from '../support/cli.js';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import { KNOWN_SUITE_FINDINGS, unexplainedFailures } from '../support/known-suite-findings.js';
import { useTempDir } from '../support/temp.js';

describe('kalam-chaos suite against the real kalamdb-server', function () {
  this.timeout(270_000);
  const tempDir = useTempDir('kalam-chaos-suite-kalamdb-');
  let serverBin: string;

  before(function () {
    serverBin = requireKalamdbBinary(this);
  });

  it('startup, validation and backpressure: every check holds or fails only through a documented finding', async () => {
    const out = tempDir();
    const run = await runCli(['suite', 'startup', 'validation', 'backpressure', '--target', 'kalamdb', '--server-bin', serverBin, '--seed', '3', '--out', out, '--quiet'], { timeoutMs: 230_000 });
    const runDir = await onlyRunFolder(out);
    const result = (await fs.readJson(join(runDir, 'result.json'))) as SuiteResult;
    expect(result.error, JSON.stringify(result.error)).to.equal(undefined);
    expect(result.server.version).to.match(/^0\.4\.3/);
    expect(unexplainedFailures(result.checks)).to.deep.equal([]);
    // Every expectation that differs from the seed plan applied the binary's version, not the seed's.
    expect(result.checks.filter((check) => check.expectedFor?.includes('seed')).map((check) => check.id)).to.deep.equal([]);
    const failed = result.checks.filter((check) => check.outcome === 'fail').map((check) => check.id);
    expect(run.exitCode).to.equal(failed.length > 0 ? 1 : 0);
    // A finding that no longer reproduces is worth knowing: the list must be brought up to date.
    expect(failed.sort()).to.deep.equal(KNOWN_SUITE_FINDINGS.filter((finding) => result.checks.some((check) => check.id === finding.check)).map((finding) => finding.check).sort());
  });
});
