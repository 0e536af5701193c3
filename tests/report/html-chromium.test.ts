import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fs from 'fs-extra';
import { chromium } from 'playwright-core';
import { packageRoot } from '../../src/util/package-root.js';
import { readResult } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';
import { defectRun } from './defect-run.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Kept after the test for a human to look at. */
const SCREENSHOT = join(packageRoot(), '.tmp', 'report-test', 'report.png');

interface Measured {
  svgWidth: number;
  pathLengths: number[];
  points: number;
  kills: number;
  restarts: number;
  cycleRows: Array<{ cycle: number; cells: string[] }>;
  violationsText: string;
  lostItems: number;
}

/** Runs in the page (a string: the project's TypeScript has no DOM types). */
const MEASURE_PAGE = `(() => {
  const svg = document.querySelector('svg#timeline');
  const paths = [...document.querySelectorAll('svg#timeline path.series')];
  return {
    svgWidth: svg ? svg.getBoundingClientRect().width : 0,
    pathLengths: paths.map((path) => path.getTotalLength()),
    points: document.querySelectorAll('svg#timeline circle.point').length,
    kills: document.querySelectorAll('svg#timeline g.marker-kill').length,
    restarts: document.querySelectorAll('svg#timeline g.marker-restart').length,
    cycleRows: [...document.querySelectorAll('table.checks tr[data-cycle]')].map((row) => ({
      cycle: Number(row.dataset.cycle),
      cells: [...row.querySelectorAll('td[data-check]')].map((cell) => cell.dataset.check + '=' + cell.className),
    })),
    violationsText: (document.querySelector('#violations') || {}).textContent || '',
    lostItems: document.querySelectorAll('#violations li[data-kind="lost"]').length,
  };
})()`;

describe('report.html in headless Chromium', function () {
  this.timeout(120_000);
  const tempDir = useTempDir();

  it('shows the timeline, a checks row per cycle and the lost ids, from disk, without any network request', async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    const { runDir, exitCode, output } = await defectRun(tempDir());
    expect(exitCode, output).to.equal(1);
    const result = await readResult(runDir);
    const reportPath = join(runDir, 'report.html');
    expect(await fs.pathExists(reportPath), 'report.html written by the campaign').to.equal(true);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      context.on('request', (request) => requests.push(request.url()));
      // Anything that is not the file itself is refused (and recorded above).
      await context.route((url) => url.protocol !== 'file:', (route) => route.abort());
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });

      const drawn = await page.evaluate<Measured>(MEASURE_PAGE);
      expect(drawn.svgWidth, 'the SVG is laid out').to.be.greaterThan(500);
      expect(drawn.pathLengths.length, 'acks/s and in-flight series at least').to.be.at.least(2);
      expect(drawn.pathLengths.every((length) => length > 0), `every series has a drawn path: ${drawn.pathLengths.join(',')}`).to.equal(true);
      expect(drawn.points, 'resource samples drawn as points').to.be.greaterThan(0);
      expect(drawn.kills, 'a kill marker per cycle').to.equal(result.cycles.length);
      expect(drawn.restarts, 'a ready marker per incarnation').to.equal(result.cycles.length + 1);
      expect(drawn.cycleRows.map((row) => row.cycle)).to.deep.equal(result.cycles.map((cycle) => cycle.cycle));
      for (const row of drawn.cycleRows) {
        expect(row.cells, `cycle ${row.cycle}`).to.include('acknowledged-writes=fail');
        expect(row.cells, `cycle ${row.cycle}`).to.include('metadata=pass');
      }
      const lost = result.violations.filter((record) => record.violation.kind === 'lost');
      expect(lost.length, 'the defect lost rows').to.be.greaterThan(0);
      expect(drawn.lostItems).to.equal(lost.length);
      for (const record of lost) {
        const ids = (record.violation as { ids: number[] }).ids;
        expect(drawn.violationsText, `lost ids of cycle ${record.cycle}`).to.contain(ids.join(', '));
      }

      // The pointer readout: the inline script runs.
      const box = (await page.locator('svg#timeline').boundingBox())!;
      await page.locator('svg#timeline').hover({ position: { x: box.width / 2, y: 80 } });
      expect(await page.locator('#readout').textContent()).to.match(/^t = \d+\.\d\d s$/);

      await fs.ensureDir(join(SCREENSHOT, '..'));
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      await fs.copy(SCREENSHOT, join(runDir, 'report.png'));
      expect((await fs.stat(SCREENSHOT)).size).to.be.greaterThan(10_000);

      expect(errors, 'no page errors').to.deep.equal([]);
      expect(requests.filter((url) => !url.startsWith('file:')), 'network requests').to.deep.equal([]);
      expect(requests, 'only the report itself was loaded').to.deep.equal([pathToFileURL(reportPath).href]);
    } finally {
      await browser.close();
    }
  });
});
