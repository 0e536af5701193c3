import { expect } from 'chai';
import fs from 'fs-extra';
import { join } from 'node:path';
import type { SuiteResult } from '../../src/suite/types.js';
import { onlyRunFolder, runCli } from '../support/cli.js';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import { KNOWN_SUITE_FINDINGS, unexplainedFailures } from '../support/known-suite-findings.js';
import { useTempDir } from '../support/temp.js';

describe('kalam-chaos suite cli subscriptions against the real kalamdb-server and kalam CLI', function () {
  this.timeout(240_000);
  const tempDir = useTempDir('kalam-chaos-suite-cli-kalamdb-');
  let serverBin: string;
  let cliBin: string;

  before(function () {
    serverBin = requireKalamdbBinary(this);
    cliBin = requireKalamdbBinary(this, 'kalam');
  });

  it('every check holds or fails only through a documented finding (F18)', async () => {
    const out = tempDir();
    const run = await runCli(['suite', 'cli', 'subscriptions', '--target', 'kalamdb', '--server-bin', serverBin, '--cli-bin', cliBin, '--seed', '3', '--out', out, '--quiet'], { timeoutMs: 200_000 });
    const result = (await fs.readJson(join(await onlyRunFolder(out), 'result.json'))) as SuiteResult;
    expect(result.error, JSON.stringify(result.error)).to.equal(undefined);
    expect(result.server.version).to.match(/^0\.4\.3/);
    expect(result.checks.filter((check) => check.outcome === 'skipped').map((check) => check.id)).to.deep.equal([]);
    expect(unexplainedFailures(result.checks)).to.deep.equal([]);
    expect(result.checks.filter((check) => check.expectedFor?.includes('seed')).map((check) => check.id)).to.deep.equal([]);
    const failed = result.checks.filter((check) => check.outcome === 'fail').map((check) => check.id);
    expect(run.exitCode).to.equal(failed.length > 0 ? 1 : 0);
    expect(failed.sort()).to.deep.equal(KNOWN_SUITE_FINDINGS.filter((finding) => result.checks.some((check) => check.id === finding.check)).map((finding) => finding.check).sort());
  });
});
