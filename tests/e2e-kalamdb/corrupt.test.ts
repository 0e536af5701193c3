import { expect } from 'chai';
import { join } from 'node:path';
import { rocksdictPython } from '../../src/nemesis/manifest-cache.js';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import { onlyRunFolder, readResult, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';
import { unexplainedViolations } from '../support/known-findings.js';

/**
 * An outcome must be an accepted one (rebuilt, refused) or a known KalamDB finding: with the scope's
 * cache entry gone, kalamdb-server 0.4.3-rc.4 takes an unparseable manifest.json for an empty one and
 * skips the scope's cold rows (FINDINGS.md F6). A fix in KalamDB turns it into rebuilt or refused.
 */

describe('corruption campaigns against the real kalamdb-server', function () {
  this.timeout(120_000);
  const tempDir = useTempDir();
  let serverBin: string;

  before(function () {
    serverBin = requireKalamdbBinary(this);
    const python = rocksdictPython();
    if ('reason' in python) {
      if (process.env.CI === 'true') throw new Error(`kalamdb corruption campaigns need rocksdict: ${python.reason}`);
      this.skip();
    }
  });

  it('every damage is read (cache evicted first) and ends accepted or as a documented finding', async () => {
    const runs = [
      { scenario: 'corrupt-manifest', kind: 'invalid-json' },
      { scenario: 'corrupt-manifest', kind: 'missing-file-segment' },
      { scenario: 'corrupt-parquet', kind: 'footer' },
      { scenario: 'corrupt-parquet', kind: 'orphan' },
    ];
    const results = await Promise.all(
      runs.map(async ({ scenario, kind }) => {
        const out = join(tempDir(), `${scenario}-${kind}`);
        const args = ['run', scenario, '--workload', 'append', '--target', 'kalamdb', '--server-bin', serverBin, '--kind', kind, '--cycles', '1', '--seed', '1', '--trigger', 'acks:40-60', '--out', out, '--quiet'];
        const run = await runCli(args, { timeoutMs: 110_000 });
        return { scenario, kind, run, result: await readResult(await onlyRunFolder(out)) };
      }),
    );
    for (const { scenario, kind, run, result } of results) {
      const label = `${scenario} --kind ${kind}`;
      expect(result.verdict, `${label}: ${run.stdout}${run.stderr}`).to.not.equal('error');
      expect(result.cycles, label).to.have.length(1);
      const corruption = result.cycles[0]!.corruption!;
      const described = `${corruption.applied.corruption.file}:${corruption.applied.corruption.kind}`;
      expect(corruption.damageRead, `${label}: read paths ${JSON.stringify(corruption.readPaths)}`).to.equal(true);
      expect(result.coverage.filter((gap) => gap.kind === 'corruption-unread'), label).to.deep.equal([]);
      expect(corruption.readPaths?.some((path) => path.readsFile), label).to.equal(true);
      expect(unexplainedViolations(result), `${label}: outcome ${corruption.outcome} (${described})`).to.deep.equal([]);
      if (corruption.applied.corruption.file === 'manifest') expect(corruption.cacheEviction, label).to.include({ done: true, entryExisted: true });
      // Whatever the damage did, the original put back (and the cache entry evicted) serves every row again.
      if (corruption.outcome !== 'rebuilt') expect(corruption.restored?.ok, `${label}: restored`).to.equal(true);
    }
  });
});
