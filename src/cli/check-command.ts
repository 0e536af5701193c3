import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { readHistory } from '../history/read-history.js';
import { writeReportArtifacts } from '../report/write-artifacts.js';
import { formatSummary } from '../report/summary.js';
import { packageVersion } from '../util/package-root.js';
import { judgeHistory } from '../run/verdict.js';
import type { RunResult } from '../vocabulary/result.js';
import { UsageError } from './options.js';
import { writeJsonAtomic } from '../util/atomic-write.js';

/** Every verdict of a run folder, recomputed from its history.ndjson alone. */
export async function checkRunFolder(runDir: string): Promise<RunResult> {
  const root = resolve(runDir);
  const historyPath = join(root, 'history.ndjson');
  try {
    await access(historyPath);
  } catch {
    throw new UsageError(`${runDir} has no history.ndjson (not a kalam-chaos run folder)`);
  }
  let events;
  try {
    events = await readHistory(historyPath);
  } catch (error) {
    throw new UsageError(`cannot read ${historyPath}: ${(error as Error).message}`);
  }
  const finished = events.some((event) => event.type === 'run-end');
  try {
    return judgeHistory(events, { runDir: root, toolVersion: packageVersion(), ...(finished ? {} : { finishedAt: new Date().toISOString() }) });
  } catch (error) {
    throw new UsageError(`${historyPath}: ${(error as Error).message}`);
  }
}

async function checkCommand(runDir: string, flags: { json?: boolean; dryRun?: boolean }): Promise<never> {
  const result = await checkRunFolder(runDir);
  const root = resolve(runDir);
  if (!flags.dryRun) {
    await writeJsonAtomic(join(root, 'result.json'), result);
    await writeReportArtifacts(root);
  }
  const out = flags.json ? JSON.stringify(result, null, 2) : formatSummary(result, root);
  await new Promise<void>((done) => process.stdout.write(out + '\n', () => done()));
  process.exit(result.exitCode);
}

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('recompute every verdict of a run folder from its history.ndjson alone; rewrite result.json, junit.xml and report.html; exit with the verdict\'s code')
    .argument('<run-dir>', 'a run folder (holding history.ndjson)')
    .option('--json', 'print result.json on stdout instead of the summary')
    .option('--dry-run', 'print the verdict without rewriting any file')
    .action(checkCommand);
}
