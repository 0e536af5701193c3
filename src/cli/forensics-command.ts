import type { Command } from 'commander';
import { describeRange } from '../forensics/describe.js';
import { forensicsOfRunFolder } from '../forensics/run-folder.js';
import { EXIT_CODES } from '../report/result.js';
import { readRunResult } from '../report/write-artifacts.js';
import { describeViolation } from '../report/summary.js';
import { parseInteger, UsageError } from './options.js';
import { requireRunDir } from './report-command.js';

async function forensicsCommand(runDir: string, flags: { json?: boolean; budgetMs?: string }): Promise<never> {
  const root = await requireRunDir(runDir);
  const result = await readRunResult(root).catch((error: unknown) => {
    throw new UsageError(`cannot read ${runDir}/result.json: ${(error as Error).message}`);
  });
  const budget = flags.budgetMs !== undefined ? parseInteger(flags.budgetMs, '--budget-ms', 1_000, 3_600_000) : 120_000;
  const found = await forensicsOfRunFolder(root, result, budget);
  let text: string;
  if (flags.json) {
    text = JSON.stringify(found, null, 2);
  } else {
    const lines = [`forensics of ${root}`];
    if (!found.lost) lines.push('no acknowledged row was lost');
    else {
      const lost = found.lost;
      lines.push(`searched: crash snapshots ${lost.snapshotsSearched.length ? lost.snapshotsSearched.map((cycle) => `cycle-${cycle}`).join(', ') : 'none'}; the live data dir (${lost.durationMs} ms)`);
      for (const note of lost.incomplete) lines.push(`incomplete: ${note}`);
      for (const file of lost.unreadableFiles) lines.push(`unreadable: ${file}`);
      for (const scope of lost.scopes) {
        lines.push(`${scope.table}${scope.partition ? ` (user ${scope.partition})` : ''}:`);
        for (const range of scope.ranges) lines.push(`  ${describeRange(range)}`);
      }
    }
    if (found.segmentRecords === 0) lines.push('segment-overwritten: the history records no segment hashes (a run made before the check)');
    else if (found.overwrites.length === 0) lines.push(`segment-overwritten: none (${found.segmentRecords} segment record(s) in the history)`);
    else for (const violation of found.overwrites) lines.push(describeViolation(violation));
    text = lines.join('\n');
  }
  await new Promise<void>((done) => process.stdout.write(text + '\n', () => done()));
  process.exit(found.overwrites.length > 0 || (found.lost?.scopes.length ?? 0) > 0 ? EXIT_CODES.fail : EXIT_CODES.pass);
}

export function registerForensicsCommand(program: Command): void {
  program
    .command('forensics')
    .description("where a run's lost acknowledged rows were last seen (crash snapshots, live segments, hot tier only) and whether a committed segment was overwritten; exit 1 when either shows")
    .argument('<run-dir>', 'a run folder (holding result.json and history.ndjson)')
    .option('--json', 'print the forensics as JSON')
    .option('--budget-ms <ms>', 'time budget for unpacking and reading snapshots (default 120000)')
    .action(forensicsCommand);
}
