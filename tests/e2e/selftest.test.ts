import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkRunFolder } from '../../src/cli/check-command.js';
import { runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';
import { DEFECTS } from '../../src/reference-server/defects.js';
import { SELFTEST_MATRIX } from '../../src/selftest/matrix.js';
import { SUITE_DEFECT_CHECKS } from '../../src/suite/defect-checks.js';
import { SCENARIOS } from '../../chaos/index.js';

describe('selftest: the tool against the correct reference server and every seeded defect', function () {
  this.timeout(300_000);
  const tempDir = useTempDir();

  it('covers every scenario, and every defect in the short matrix too', () => {
    for (const defect of Object.keys(DEFECTS)) {
      if (defect in SUITE_DEFECT_CHECKS) continue;
      expect(SELFTEST_MATRIX.some((entry) => entry.defect === defect && entry.short), `short matrix catches ${defect}`).to.equal(true);
    }
    for (const scenario of SCENARIOS) {
      expect(SELFTEST_MATRIX.some((entry) => entry.scenario === scenario.name && entry.expect === 'pass'), `the matrix passes ${scenario.name}`).to.equal(true);
    }
  });

  it('prints the short matrix, every case as expected, and exits 0; `check` recomputes every verdict from the history alone', async () => {
    const out = tempDir();
    const run = await runCli(['selftest', '--short', '--out', out], { timeoutMs: 290_000 });
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    const rows = run.stdout.trim().split('\n');
    const short = SELFTEST_MATRIX.filter((entry) => entry.short);
    for (const entry of short) {
      const line = rows.find((row) => row.startsWith(entry.name + ' '));
      expect(line, `a row for ${entry.name}`).to.be.a('string');
      expect(line).to.include(' OK ');
    }
    expect(rows.at(-1)).to.equal(`selftest: all ${short.length} cases as expected`);

    // Offline, from history.ndjson alone, every run folder gets the very result.json the campaign wrote.
    const folders = (await readdir(out)).filter((name) => !name.startsWith('.'));
    expect(folders.length, 'a run folder per case that ran').to.be.at.least(short.filter((entry) => !entry.needsPowerLoss).length);
    for (const name of folders) {
      const runDir = join(out, name);
      const online = JSON.parse(await readFile(join(runDir, 'result.json'), 'utf8')) as unknown;
      const offline = JSON.parse(JSON.stringify(await checkRunFolder(runDir))) as unknown;
      expect(offline, `kalam-chaos check ${name}`).to.deep.equal(online);
    }
    // And through the CLI: the exit code is the verdict's.
    const first = join(out, folders[0]!);
    const verdict = JSON.parse(await readFile(join(first, 'result.json'), 'utf8')) as { exitCode: number };
    const check = await runCli(['check', first, '--dry-run']);
    expect(check.exitCode, check.stdout + check.stderr).to.equal(verdict.exitCode);
  });
});
