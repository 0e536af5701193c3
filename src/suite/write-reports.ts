import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HTML_REPORT_FILE, JUNIT_FILE } from '../report/write-artifacts.js';
import { renderSuiteHtml } from './html.js';
import { renderSuiteJunit } from './junit.js';
import type { SuiteResult } from './types.js';

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, 'utf8');
  await rename(temporary, path);
}

/** junit.xml and report.html of a suite run folder. */
export async function writeSuiteReports(runDir: string, result: SuiteResult): Promise<{ junit: string; html: string }> {
  const junit = join(runDir, JUNIT_FILE);
  const html = join(runDir, HTML_REPORT_FILE);
  await writeAtomically(junit, renderSuiteJunit(result));
  await writeAtomically(html, renderSuiteHtml(result));
  return { junit, html };
}
