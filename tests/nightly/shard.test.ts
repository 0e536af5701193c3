import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import fs from 'fs-extra';
import { SCENARIOS } from '../../chaos/index.js';
import { describeRow, nightlyMatrix, type MatrixRow } from '../../src/nightly/matrix.js';
import { formatSummaryMarkdown, parseNightlyArgs, plannedRows, runNightly } from '../../src/nightly/nightly.js';
import { expectedCost, parseShard, shardRows, splitIntoShards } from '../../src/nightly/shard.js';
import { NightlyUsageError } from '../../src/nightly/usage-error.js';
import { packageRoot } from '../../src/util/package-root.js';
import { useTempDir } from '../support/temp.js';

const NIGHTLY = join(packageRoot(), 'scripts', 'nightly');
const nightly = (args: string[]) => execa(NIGHTLY, args, { reject: false, timeout: 60_000, cwd: packageRoot() });
const costOf = (costs: readonly number[], rows: readonly number[]) => rows.reduce((sum, index) => sum + costs[index]!, 0);

describe('nightly --shard', () => {
  const tmp = useTempDir('kalam-chaos-shard-');

  describe('parsing I/N', () => {
    it('takes shard I of N, 1 <= I <= N', () => {
      expect(parseShard('1/1')).to.deep.equal({ index: 1, count: 1 });
      expect(parseShard('3/4')).to.deep.equal({ index: 3, count: 4 });
      expect(parseShard('4/4')).to.deep.equal({ index: 4, count: 4 });
    });

    it('refuses a shard outside 1..N, a zero N and anything not I/N, in one line', () => {
      const cases: [string, RegExp][] = [
        ['0/2', /^--shard 0\/2: I must be between 1 and N \(2\)$/],
        ['3/2', /^--shard 3\/2: I must be between 1 and N \(2\)$/],
        ['1/0', /^--shard 1\/0: N must be between 1 and 1000$/],
        ['1/1001', /^--shard 1\/1001: N must be between 1 and 1000$/],
        ['x', /^--shard takes I\/N \(shard I of N, 1 <= I <= N\), got "x"$/],
        ['', /^--shard takes I\/N/],
        ['1/2/3', /^--shard takes I\/N/],
        ['-1/2', /^--shard takes I\/N/],
        ['1.5/2', /^--shard takes I\/N/],
        ['2', /^--shard takes I\/N/],
      ];
      for (const [value, message] of cases) expect(() => parseShard(value), value).to.throw(NightlyUsageError, message);
    });
  });

  describe('the split', () => {
    const matrices: { name: string; rows: MatrixRow[]; runArgs: string[] }[] = [
      { name: 'every scenario × 5 seeds at their default cycles', rows: nightlyMatrix({ scenarios: SCENARIOS.map((s) => s.name), seeds: [1, 2, 3, 4, 5] }), runArgs: [] },
      { name: 'every scenario × 3 seeds, --cycles 2', rows: nightlyMatrix({ scenarios: SCENARIOS.map((s) => s.name), seeds: [1, 2, 3] }), runArgs: ['--cycles', '2'] },
      {
        name: 'two scenarios and an upgrade pair × 2 seeds',
        rows: nightlyMatrix({ scenarios: ['kill-mid-insert', 'corrupt-all'], seeds: [7, 8], upgradePairs: [{ from: '/b/old', to: '/b/new' }] }),
        runArgs: [],
      },
    ];

    for (const { name, rows, runArgs } of matrices) {
      it(`puts every row in exactly one shard, the same way every time, costs balanced: ${name}`, () => {
        const costs = rows.map((row) => expectedCost(row, runArgs));
        const costliest = Math.max(...costs);
        for (let count = 1; count <= rows.length + 2; count++) {
          const split = splitIntoShards(costs, count);
          expect(split, `n=${count}`).to.have.length(count);
          expect(splitIntoShards(costs, count), `n=${count} again`).to.deep.equal(split);
          expect(split.flat().sort((a, b) => a - b), `n=${count}: each row once`).to.deep.equal(rows.map((_, index) => index));
          for (const shard of split) expect(shard, `n=${count}: matrix order`).to.deep.equal([...shard].sort((a, b) => a - b));
          const loads = split.map((shard) => costOf(costs, shard));
          // Greedy to the least-loaded shard: no shard ends more than one row's cost above another.
          expect(Math.max(...loads) - Math.min(...loads), `n=${count}: loads ${loads.join(',')}`).to.be.at.most(costliest);
          if (new Set(costs).size === 1) {
            const sizes = split.map((shard) => shard.length);
            expect(Math.max(...sizes) - Math.min(...sizes), `n=${count}: equal costs, counts ${sizes.join(',')}`).to.be.at.most(1);
          }
          const viaRows = split.map((_, index) => shardRows(rows, { index: index + 1, count }, runArgs));
          expect(viaRows.flat().map(describeRow).sort()).to.deep.equal(rows.map(describeRow).sort());
        }
      });
    }

    it('gives a costly row a shard of its own and shares the cheap ones out by count', () => {
      expect(splitIntoShards([12, 3, 3, 3, 3], 2)).to.deep.equal([[0], [1, 2, 3, 4]]);
      expect(splitIntoShards([3, 3, 3, 3, 3], 2)).to.deep.equal([[0, 2, 4], [1, 3]]);
      expect(splitIntoShards([1, 1], 4)).to.deep.equal([[0], [1], [], []]);
    });

    it('costs a row by its campaign cycles: --cycles when given, else the scenario default', () => {
      const corruptAll = SCENARIOS.find((s) => s.name === 'corrupt-all')!;
      expect(expectedCost({ scenario: 'corrupt-all', seed: 1 }, [])).to.equal(corruptAll.defaults.cycles);
      expect(expectedCost({ scenario: 'corrupt-all', seed: 1 }, ['--cycles', '2'])).to.equal(2);
      expect(expectedCost({ scenario: 'corrupt-all', seed: 1 }, ['--cycles=5', '--writers', '3'])).to.equal(5);
    });
  });

  describe('in the nightly', () => {
    it('runs only its shard, and its summary names the shard', async () => {
      const whole = parseNightlyArgs(['--scenarios', 'kill-mid-insert,kill-mid-flush,power-loss', '--seeds', '1,2', '--cycles', '1'], '/');
      expect(whole.shard).to.equal(undefined);
      const ran: string[][] = [];
      for (const index of [1, 2, 3]) {
        const options = { ...parseNightlyArgs(['--scenarios', 'kill-mid-insert,kill-mid-flush,power-loss', '--seeds', '1,2', '--shard', `${index}/3`, '--cycles', '1'], '/'), outDir: tmp() };
        expect(options.shard).to.deep.equal({ index, count: 3 });
        expect(options.runArgs).to.deep.equal(['--cycles', '1']);
        const calls: string[] = [];
        const summary = await runNightly(options, {
          runCampaign: async (scenario, seed) => {
            calls.push(`${scenario} seed ${seed}`);
            return { scenario, seed, verdict: 'pass', exitCode: 0, durationMs: 1 };
          },
        });
        expect(calls).to.deep.equal(plannedRows(options).map(describeRow));
        expect(summary.shard).to.deep.equal({ index, count: 3, matrixRows: 6 });
        const written = (await fs.readJson(join(options.outDir, 'summary.json'))) as { shard?: unknown };
        expect(written.shard).to.deep.equal({ index, count: 3, matrixRows: 6 });
        const markdown = formatSummaryMarkdown(summary);
        expect(markdown.split('\n')[0]).to.equal(`# kalam-chaos nightly, shard ${index}/3: PASS`);
        expect(markdown).to.include(`- shard ${index} of 3: ${calls.length} of the matrix's 6 campaign(s)`);
        ran.push(calls);
      }
      expect(ran.flat().sort()).to.deep.equal(plannedRows(whole).map(describeRow).sort());
      expect(ran.map((calls) => calls.length)).to.deep.equal([2, 2, 2]);
    });
  });

  describe('scripts/nightly', () => {
    it('refuses a bad --shard with one line and exit 2, creating nothing', async () => {
      const out = join(tmp(), 'nightly');
      for (const value of ['0/2', '3/2', 'x']) {
        const result = await nightly(['--shard', value, '--out', out]);
        expect(result.exitCode, value).to.equal(2);
        expect(result.stderr.trim().split('\n'), result.stderr).to.have.length(1);
        expect(result.stderr).to.match(/^nightly: --shard /);
        expect(result.stdout).to.equal('');
      }
      const missing = await nightly(['--out', out, '--shard']);
      expect(missing.exitCode).to.equal(2);
      expect(missing.stderr.trim()).to.equal('nightly: --shard needs a value');
      expect(await fs.pathExists(out)).to.equal(false);
    });

    it('--list prints the shard\'s rows and runs nothing; the shards together list the matrix once', async () => {
      const out = join(tmp(), 'nightly');
      const flags = ['--seeds', '1,2,3', '--out', out, '--list'];
      const all = await nightly(flags);
      expect(all.exitCode, all.stderr).to.equal(0);
      const matrix = all.stdout.trim().split('\n');
      expect(matrix).to.have.length(SCENARIOS.length * 3);
      expect(matrix).to.include('kill-mid-insert seed 2');
      const shards: string[][] = [];
      for (const index of [1, 2, 3, 4]) {
        const listed = await nightly(['--shard', `${index}/4`, ...flags]);
        expect(listed.exitCode, listed.stderr).to.equal(0);
        shards.push(listed.stdout.trim().split('\n').filter(Boolean));
      }
      expect(shards.flat().sort()).to.deep.equal([...matrix].sort());
      const again = await nightly(['--shard', '2/4', ...flags]);
      expect(again.stdout.trim().split('\n')).to.deep.equal(shards[1]);
      expect(await fs.pathExists(out)).to.equal(false);
    });
  });
});
