import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_CODES } from '../report/result.js';
import { writeReportArtifacts } from '../report/write-artifacts.js';
import { UsageError } from './options.js';

/** A run folder given on the command line: must hold a result.json, or it is a usage error (exit 2). */
export async function requireRunDir(runDir: string): Promise<string> {
  const root = resolve(runDir);
  try {
    await access(join(root, 'result.json'));
  } catch {
    throw new UsageError(`${runDir} has no result.json (not a kalam-chaos run folder)`);
  }
  return root;
}

async function reportCommand(runDir: string): Promise<never> {
  const root = await requireRunDir(runDir);
  const written = await writeReportArtifacts(root).catch((error: unknown) => {
    throw new UsageError(`cannot write the report for ${runDir}: ${(error as Error).message}`);
  });
  await new Promise<void>((done) => process.stdout.write(`${written.junit}\n${written.html}\n`, () => done()));
  process.exit(EXIT_CODES.pass);
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('(re)write junit.xml and report.html of a run folder from its result.json, history.ndjson and server logs')
    .argument('<run-dir>', 'a run folder (holding result.json)')
    .action(reportCommand);
}
