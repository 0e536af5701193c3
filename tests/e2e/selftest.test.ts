import { expect } from 'chai';
import { runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';
import { DEFECTS } from '../../src/reference-server/defects.js';
import { SELFTEST_MATRIX } from '../../src/selftest/matrix.js';
import { SCENARIOS } from '../../chaos/index.js';

describe('selftest: the tool against the correct reference server and every seeded defect', function () {
  this.timeout(180_000);
  const tempDir = useTempDir();

  it('covers every scenario, and every defect in the short matrix too', () => {
    for (const defect of Object.keys(DEFECTS)) {
      expect(SELFTEST_MATRIX.some((entry) => entry.defect === defect && entry.short), `short matrix catches ${defect}`).to.equal(true);
    }
    for (const scenario of SCENARIOS) {
      expect(SELFTEST_MATRIX.some((entry) => entry.scenario === scenario.name && entry.expect === 'pass'), `the matrix passes ${scenario.name}`).to.equal(true);
    }
  });

  it('prints the short matrix, every case as expected, and exits 0', async () => {
    const run = await runCli(['selftest', '--short', '--out', tempDir()], { timeoutMs: 170_000 });
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    const rows = run.stdout.trim().split('\n');
    const short = SELFTEST_MATRIX.filter((entry) => entry.short);
    for (const entry of short) {
      const line = rows.find((row) => row.startsWith(entry.name + ' '));
      expect(line, `a row for ${entry.name}`).to.be.a('string');
      expect(line).to.include(' OK ');
    }
    expect(rows.at(-1)).to.equal(`selftest: all ${short.length} cases as expected`);
  });
});
