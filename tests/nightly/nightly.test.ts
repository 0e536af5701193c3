import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import fs from 'fs-extra';
import {
  formatSummaryMarkdown,
  markedRunDirs,
  parseNightlyArgs,
  pruneRunDirs,
  runNightly,
  type CampaignOutcome,
  type NightlySummary,
} from '../../src/nightly/nightly.js';
import { RUN_MARKER } from '../../src/run/run-folder.js';
import { packageRoot } from '../../src/util/package-root.js';
import { useTempDir } from '../support/temp.js';

const NIGHTLY = join(packageRoot(), 'scripts', 'nightly');

function nightly(args: string[]) {
  return execa(NIGHTLY, args, { reject: false, timeout: 180_000, cwd: packageRoot() });
}

async function runFolder(outDir: string, name: string, createdAt: string): Promise<string> {
  const dir = join(outDir, name);
  await mkdir(join(dir, 'data'), { recursive: true });
  await fs.writeJson(join(dir, RUN_MARKER), { tool: 'kalam-chaos', version: '0.1.0', createdAt, pid: 1 });
  return dir;
}

describe('nightly', () => {
  const tmp = useTempDir('kalam-chaos-nightly-');

  describe('arguments', () => {
    it('parses its own flags and passes the rest to every run, in order', () => {
      const options = parseNightlyArgs(
        ['--scenarios', 'kill-mid-insert,kill-mid-flush', '--seeds=1,2,3', '--cycles', '1', '--budget-minutes', '0.5', '--keep', '4', '--out', 'nightly', '--defect', 'ack-before-write'],
        '/base',
      );
      expect(options).to.deep.equal({
        scenarios: ['kill-mid-insert', 'kill-mid-flush'],
        seeds: [1, 2, 3],
        budgetMinutes: 0.5,
        keep: 4,
        outDir: '/base/nightly',
        runArgs: ['--cycles', '1', '--defect', 'ack-before-write'],
      });
    });

    it('refuses unknown scenarios, bad numbers and the flags it sets itself', () => {
      expect(() => parseNightlyArgs(['--scenarios', 'nope'])).to.throw('unknown scenario "nope"');
      expect(() => parseNightlyArgs(['--seeds', '1,x'])).to.throw('--seeds must be a whole number, got "x"');
      expect(() => parseNightlyArgs(['--budget-minutes', '0'])).to.throw('--budget-minutes must be a positive number');
      expect(() => parseNightlyArgs(['--keep', '0'])).to.throw('--keep must be at least 1');
      expect(() => parseNightlyArgs(['--seed', '3'])).to.throw('--seed is set by the nightly');
      expect(() => parseNightlyArgs(['--out'])).to.throw('--out needs a value');
    });
  });

  describe('upgrade rows', () => {
    it('runs the upgrade scenario once per binary pair and seed, with that pair, and drops the plain row against kalamdb', async () => {
      const options = parseNightlyArgs(['--seeds', '1,2', '--upgrade-pair', '/b/old:/b/new', '--target', 'kalamdb', '--server-bin', '/b/new'], '/');
      expect(options.scenarios).to.not.include('upgrade');
      expect(options.upgradePairs).to.deep.equal([{ from: '/b/old', to: '/b/new' }]);
      const calls: string[] = [];
      const summary = await runNightly({ ...options, scenarios: ['kill-mid-insert'], outDir: tmp() }, {
        runCampaign: async (scenario, seed, given) => {
          calls.push(`${scenario}/${seed} ${given.runArgs.join(' ')}`);
          return { scenario, seed, verdict: 'pass', exitCode: 0, durationMs: 1 };
        },
      });
      expect(calls).to.deep.equal([
        'kill-mid-insert/1 --target kalamdb --server-bin /b/new',
        'kill-mid-insert/2 --target kalamdb --server-bin /b/new',
        'upgrade/1 --target kalamdb --server-bin /b/new --from-bin /b/old --to-bin /b/new',
        'upgrade/2 --target kalamdb --server-bin /b/new --from-bin /b/old --to-bin /b/new',
      ]);
      expect(summary.campaigns.map((campaign) => campaign.scenario)).to.include('upgrade old → new');
      expect(() => parseNightlyArgs(['--upgrade-pair', 'only-one'], '/')).to.throw(/OLD:NEW/);
    });
  });

  describe('keeping the last N run folders', () => {
    it('deletes only the oldest folders that carry the kalam-chaos marker', async () => {
      const out = tmp();
      const oldest = await runFolder(out, 'a-oldest', '2026-01-01T00:00:00.000Z');
      const middle = await runFolder(out, 'b-middle', '2026-01-02T00:00:00.000Z');
      const newest = await runFolder(out, 'c-newest', '2026-01-03T00:00:00.000Z');
      await mkdir(join(out, 'not-ours'));
      await mkdir(join(out, 'foreign-marker'));
      await writeFile(join(out, 'foreign-marker', RUN_MARKER), '{"tool":"something-else"}');
      await writeFile(join(out, 'summary.md'), '# old\n');
      expect((await markedRunDirs(out)).map((d) => d.path)).to.deep.equal([newest, middle, oldest]);
      expect(await pruneRunDirs(out, 2)).to.deep.equal([oldest]);
      expect((await fs.readdir(out)).sort()).to.deep.equal(['b-middle', 'c-newest', 'foreign-marker', 'not-ours', 'summary.md']);
      expect(await pruneRunDirs(out, 5)).to.deep.equal([]);
    });
  });

  describe('the time budget', () => {
    it('starts no campaign once the budget is spent, and says so', async () => {
      let clock = 0;
      const started: string[] = [];
      const fake = async (scenario: string, seed: number): Promise<CampaignOutcome> => {
        started.push(`${scenario}/${seed}`);
        clock += 40_000; // each campaign takes 40 s of the 1-minute budget
        return { scenario, seed, verdict: 'pass', exitCode: 0, durationMs: 40_000 };
      };
      const summary = await runNightly(
        { scenarios: ['kill-mid-insert'], seeds: [1, 2, 3, 4], budgetMinutes: 1, keep: 10, outDir: tmp(), runArgs: [] },
        { now: () => clock, runCampaign: fake },
      );
      expect(started).to.deep.equal(['kill-mid-insert/1', 'kill-mid-insert/2']);
      expect(summary.budgetSpent).to.equal(true);
      expect(summary.notStarted).to.deep.equal([
        { scenario: 'kill-mid-insert', seed: 3 },
        { scenario: 'kill-mid-insert', seed: 4 },
      ]);
      expect(summary.exitCode).to.equal(0);
      const markdown = await readFile(join(tmp(), 'summary.md'), 'utf8');
      expect(markdown).to.include('time budget of 1 min spent: 2 campaign(s) not started');
      expect(markdown).to.include('| kill-mid-insert | 3 | not started | - | - | time budget spent |');
    });

    it('a campaign that wrote no result counts as failed, with its error line', async () => {
      const summary = await runNightly(
        { scenarios: ['kill-mid-insert'], seeds: [1], budgetMinutes: 5, keep: 10, outDir: tmp(), runArgs: [] },
        { runCampaign: async (scenario, seed) => ({ scenario, seed, verdict: 'error', exitCode: 2, durationMs: 5, error: 'kalam-chaos: bad | flag' }) },
      );
      expect(summary.exitCode).to.equal(1);
      expect(formatSummaryMarkdown(summary)).to.include('| kill-mid-insert | 1 | error | 2 | 0.0 s | kalam-chaos: bad \\| flag |');
    });
  });

  describe('scripts/nightly (e2e)', () => {
    it('runs kill-mid-insert x 2 seeds, writes summary.json and summary.md, exits 0', async () => {
      const out = join(tmp(), 'nightly');
      const result = await nightly(['--scenarios', 'kill-mid-insert', '--seeds', '1,2', '--budget-minutes', '10', '--keep', '5', '--out', out, '--cycles', '1']);
      expect(result.exitCode, `${result.stdout}\n${result.stderr}`).to.equal(0);
      expect(result.stdout).to.include('nightly: PASS: 2 passed, 0 failed');
      const summary = (await fs.readJson(join(out, 'summary.json'))) as NightlySummary;
      expect(summary.ok).to.equal(true);
      expect(summary.budgetSpent).to.equal(false);
      expect(summary.runArgs).to.deep.equal(['--cycles', '1']);
      expect(summary.campaigns.map((c) => [c.scenario, c.seed, c.verdict, c.exitCode])).to.deep.equal([
        ['kill-mid-insert', 1, 'pass', 0],
        ['kill-mid-insert', 2, 'pass', 0],
      ]);
      for (const campaign of summary.campaigns) {
        expect(campaign.runDir!.startsWith(out + '/')).to.equal(true);
        expect(await fs.pathExists(join(campaign.runDir!, RUN_MARKER))).to.equal(true);
        expect(campaign.report).to.equal(join(campaign.runDir!, 'report.html'));
      }
      const markdown = await readFile(join(out, 'summary.md'), 'utf8');
      expect(markdown).to.match(/^# kalam-chaos nightly: PASS/);
      expect(markdown).to.include('| scenario | seed | verdict | exit code | duration | report |');
      const rows = markdown.split('\n').filter((line) => line.startsWith('| kill-mid-insert |'));
      expect(rows).to.have.length(2);
      for (const [i, row] of rows.entries()) {
        expect(row).to.match(new RegExp(`^\\| kill-mid-insert \\| ${i + 1} \\| pass \\| 0 \\|`));
        expect(row).to.match(/\[kill-mid-insert-[^\]]+\/(report\.html|result\.json)\]\(kill-mid-insert-[^)]+\)/);
      }
    });

    it('exits non-zero when a campaign fails (--defect ack-before-write passed through), and keeps only --keep folders', async () => {
      const out = join(tmp(), 'nightly');
      const old = await runFolder(out, 'kill-mid-insert-20200101-000000-seed9', '2020-01-01T00:00:00.000Z');
      const result = await nightly(['--scenarios', 'kill-mid-insert', '--seeds', '1,2', '--keep', '2', '--out', out, '--cycles', '1', '--defect', 'ack-before-write']);
      expect(result.exitCode, `${result.stdout}\n${result.stderr}`).to.equal(1);
      expect(result.stdout).to.include('nightly: FAIL: 0 passed, 2 failed');
      const summary = (await fs.readJson(join(out, 'summary.json'))) as NightlySummary;
      expect(summary.campaigns.map((c) => [c.verdict, c.exitCode])).to.deep.equal([
        ['fail', 1],
        ['fail', 1],
      ]);
      expect(summary.prunedRunDirs).to.deep.equal([old]);
      expect(await fs.pathExists(old)).to.equal(false);
      expect(await readFile(join(out, 'summary.md'), 'utf8')).to.match(/^# kalam-chaos nightly: FAIL \(2 of 2 campaigns did not pass\)/);
    });

    it('exits 2 on a usage error', async () => {
      const result = await nightly(['--scenarios', 'no-such-scenario', '--out', tmp()]);
      expect(result.exitCode).to.equal(2);
      expect(result.stderr.trim()).to.match(/^nightly: unknown scenario "no-such-scenario"/);
    });
  });
});
