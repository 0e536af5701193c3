import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { formatInspection, inspectDataDir } from '../storage/index.js';
import { SCENARIOS, findScenario } from '../../chaos/index.js';
import { DEFECTS } from '../reference-server/defects.js';
import { runCampaign } from '../run/campaign.js';
import { RunFolderError } from '../run/run-folder.js';
import { EXIT_CODES } from '../report/result.js';
import { formatSummary } from '../report/summary.js';
import { TargetSetupError } from '../target/kalamdb.js';
import { killAllGroups } from '../target/process-registry.js';
import { packageVersion } from '../util/package-root.js';
import { buildCampaignConfig, faultOptions, parseInteger, UsageError, type RunFlags } from './options.js';
import { progressPrinter } from './progress.js';
import { installCrashHandler, installInterruptHandler } from './interrupts.js';
import { runSelftest } from '../selftest/run-selftest.js';
import { DEFAULT_MIX, workloadDefinition, workloadNames } from '../workload/registry.js';
import { SELFTEST_MATRIX } from '../selftest/matrix.js';
import { registerReportCommand } from './report-command.js';
import { registerCheckCommand } from './check-command.js';
import { registerReplayCommand } from './replay-command.js';
import { registerDoctorCommand } from './doctor-command.js';
import { registerForensicsCommand } from './forensics-command.js';
import { formatCheckList, registerSuiteCommand } from './suite-command.js';
import { loadConfigFile, mergeRunFlags } from './config-file.js';

const knownDefects = Object.keys(DEFECTS);

function fail(message: string): never {
  process.stderr.write(`kalam-chaos: ${message}\n`);
  process.exit(EXIT_CODES.error);
}

async function runCommand(
  scenarioName: string,
  cliFlags: RunFlags & { json?: boolean; quiet?: boolean; config?: string },
  command: Command,
): Promise<never> {
  const fileDefaults = await loadConfigFile(cliFlags.config, process.cwd());
  const flags = mergeRunFlags(fileDefaults, cliFlags, (name) => command.getOptionValueSource(name));
  const scenario = findScenario(scenarioName);
  if (!scenario) fail(`unknown scenario "${scenarioName}"; known scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const config = buildCampaignConfig(scenario, flags, knownDefects);

  const controller = new AbortController();
  installInterruptHandler(controller);

  const result = await runCampaign(config, { signal: controller.signal, onProgress: progressPrinter(flags.quiet ?? false) });
  const runDir = result.files.history.replace(/\/history\.ndjson$/, '');
  const text = flags.json ? JSON.stringify(result, null, 2) + '\n' : formatSummary(result, runDir) + '\n';
  // The summary goes to stdout; the reason of an error goes to stderr too, where scripts look for it.
  if (result.error) process.stderr.write(`kalam-chaos: error during "${result.error.step}": ${result.error.message.split('\n')[0]} (run folder ${runDir})\n`);
  // Exit only once stdout has taken the whole text: a pipe would otherwise truncate a long --json.
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  process.exit(result.exitCode);
}

async function inspectCommand(dataDir: string, flags: { json?: boolean; scopes?: boolean }): Promise<never> {
  const inspection = await inspectDataDir(resolve(dataDir)).catch((error: unknown) => fail((error as Error).message));
  const text = flags.json ? JSON.stringify(inspection, null, 2) : formatInspection(inspection, { scopes: flags.scopes ?? false });
  await new Promise<void>((done) => process.stdout.write(text + '\n', () => done()));
  process.exit(inspection.ok ? EXIT_CODES.pass : EXIT_CODES.fail);
}

async function selftestCommand(flags: { short?: boolean; only?: string; seed?: string; out: string; quiet?: boolean }): Promise<never> {
  const seed = flags.seed !== undefined ? parseInteger(flags.seed, '--seed', 0, 2 ** 32 - 1) : 1;
  const controller = new AbortController();
  installInterruptHandler(controller);
  const width = Math.max(...SELFTEST_MATRIX.map((entry) => entry.name.length));
  process.stdout.write(`${'case'.padEnd(width)}  ${'expected'.padEnd(34)}  got\n`);
  let rows;
  try {
    rows = await runSelftest({
      short: flags.short ?? false,
      ...(flags.only !== undefined ? { only: flags.only } : {}),
      seed,
      outDir: resolve(flags.out),
      signal: controller.signal,
      onRow: (row) => process.stdout.write(`${row.name.padEnd(width)}  ${row.expected.padEnd(34)}  ${row.got}  ${row.skipped ? `SKIPPED: ${row.skipped}` : row.ok ? 'OK' : 'UNEXPECTED'}  (${(row.durationMs / 1000).toFixed(1)} s, ${row.runDir})\n`),
    });
  } catch (error) {
    if (controller.signal.aborted) process.exit(controller.signal.reason === 'SIGTERM' ? EXIT_CODES.interruptedBySigterm : EXIT_CODES.interruptedBySigint);
    throw error;
  }
  const unexpected = rows.filter((row) => !row.ok).length;
  const verdict = unexpected === 0 ? `selftest: all ${rows.length} cases as expected` : `selftest: ${unexpected} of ${rows.length} cases NOT as expected`;
  await new Promise<void>((done) => process.stdout.write(verdict + '\n', () => done()));
  process.exit(unexpected === 0 ? EXIT_CODES.pass : EXIT_CODES.fail);
}

function listCommand(): void {
  process.stdout.write('Scenarios:\n');
  const width = Math.max(...SCENARIOS.map((scenario) => scenario.name.length), ...Object.keys(DEFECTS).map((name) => name.length)) + 2;
  for (const scenario of SCENARIOS) process.stdout.write(`  ${scenario.name.padEnd(width)} ${scenario.summary}\n`);
  process.stdout.write(`\nWorkloads (--workload a,b; default ${DEFAULT_MIX.join(',')}):\n`);
  for (const name of workloadNames()) process.stdout.write(`  ${name.padEnd(width)} ${workloadDefinition(name).summary}\n`);
  process.stdout.write('\nReference-server defects (--defect NAME, --target reference):\n');
  for (const [name, description] of Object.entries(DEFECTS)) process.stdout.write(`  ${name.padEnd(width)} ${description}\n`);
  process.stdout.write('\nSuite checks (kalam-chaos suite [CATEGORY...]):\n');
  process.stdout.write(`${formatCheckList()}\n`);
}

export function buildProgram(): Command {
  const program = new Command('kalam-chaos')
    .description('Crash-recovery and fault-injection campaigns against KalamDB')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text.startsWith('error:') ? `kalam-chaos: ${text}` : text) });

  const run = program
    .command('run')
    .description('run a campaign; exit 0 when every check held, 1 on a violation, 2 on a usage or setup error, 3 when it tested too little (inconclusive)')
    .argument('<scenario>', 'scenario name (see "kalam-chaos list")')
    .addOption(new Option('--target <kind>', 'server to test').choices(['reference', 'kalamdb']).default('reference'))
    .option('--server-bin <path>', 'kalamdb-server binary (--target kalamdb)')
    .addOption(new Option('--auth <mode>', 'SQL endpoint authentication').choices(['bearer', 'basic']).default('bearer'))
    .option('--sync-writes', 'kalamdb: set [storage.rocksdb] sync_writes = true (KalamDB default is false)')
    .option('--seed <n>', 'seed for the schedule and the workload (random when omitted; printed in the result)')
    .option('--cycles <n>', 'crash-restart cycles on the same data directory (with --rows: the most cycles, default 1000)')
    .option('--rows <n>', 'cycle until N rows are acknowledged in total (checked after each cycle); short of it the run is inconclusive')
    .option('--max-minutes <n>', '--rows: no cycle starts after N minutes (default 60)')
    .option('--writers <n>', 'concurrent writers (per workload)')
    .option('--workload <names>', 'workloads run side by side, comma-separated: append, conflict, register, delete, ddl, readers (default: the mix)')
    .option('--rows-per-insert <n>', 'rows per INSERT, N or MIN-MAX (up to 100)')
    .option('--payload-bytes <n>', 'bytes of each row\'s text payload (up to 65536)')
    .option('--columns <n>', 'extra TEXT columns on every workload table (a wide table)')
    .option('--power-cut [loss]', 'compose a power cut (lossfs) after each kill of kill-mid-insert or kill-mid-flush: unsynced (default) or torn')
    .option('--flush-delay-ms <ms>', 'reference server: pause between flush steps to widen crash windows')
    .option('--flush-deadline-ms <ms>', 'after each restart, a flush of every table with hot rows must complete within this (default 30000)')
    .option('--out <dir>', 'folder under which the run folder is created', 'runs')
    .option('--data-dir <dir>', 'the server data directory (default: data/ in the run folder); reused across runs when kalam-chaos created it')
    .option('--no-snapshots', 'do not keep a tar.gz of the data directory at each crash')
    .option('--snapshot-cap-mb <mb>', 'skip a crash snapshot when the data directory is larger than this (default 64)')
    .option('--i-own-this-data-dir', 'allow --data-dir to name a non-empty directory kalam-chaos did not create')
    .option('--defect <name...>', 'reference server: seed a named defect (repeatable)')
    .option('--ack-delay-ms <ms>', 'reference server: delay between ack and write for ack-before-write')
    .option('--ready-timeout <ms>', 'deadline for a server to become ready')
    .option('--cycle-timeout <ms>', 'deadline for a cycle\'s fault to fire')
    .option('--request-timeout <ms>', 'deadline of one SQL request (default 10000); an unanswered request is indeterminate')
    .option('--min-acks <n>', 'a cycle that acknowledged fewer write requests tested too little: the run is inconclusive (default 1)')
    .option('--max-missed-phase <percent>', 'kill-mid-flush: more flush kills than this landing outside --phase make the run inconclusive (default 50)')
    .option('--json', 'print result.json on stdout instead of the summary')
    .option('--quiet', 'no progress lines on stderr')
    .option('--config <path>', 'defaults for these flags from a JSON file (default: ./kalam-chaos.config.json if present)')
    .action(runCommand);
  // Each fault's options come from its registry entry: a new fault brings its flags along.
  for (const { option } of faultOptions()) run.option(option.flags, option.description);

  program
    .command('inspect')
    .description('check the cold tier of a data directory (manifests, parquet segments) without changing it; exit 1 on a violation')
    .argument('<data-dir>', 'a KalamDB data_path (the folder holding storage/)')
    .option('--json', 'print the inspection as JSON')
    .option('--scopes', 'also print one line per table scope')
    .action(inspectCommand);

  program
    .command('selftest')
    .description('run every scenario against the correct reference server (must pass) and each seeded defect (must be caught); exit 0 only if all is as expected')
    .option('--short', 'the short matrix (as in CI)')
    .option('--only <text>', 'only the rows whose name contains this text')
    .option('--seed <n>', 'seed for every campaign', '1')
    .option('--out <dir>', 'folder under which the run folders are created', 'runs/selftest')
    .action(selftestCommand);

  registerDoctorCommand(program);
  registerReportCommand(program);
  registerCheckCommand(program);
  registerReplayCommand(program);
  registerForensicsCommand(program);
  registerSuiteCommand(program);
  program.command('list').description('list scenarios, workloads, reference-server defects and suite checks').action(listCommand);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  installCrashHandler();
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exit(error.exitCode === 0 ? 0 : EXIT_CODES.error);
    }
    if (error instanceof UsageError || error instanceof TargetSetupError || error instanceof RunFolderError) fail(error.message);
    killAllGroups();
    fail(`internal error: ${(error as Error).stack ?? String(error as Error)}`);
  }
}

await main(process.argv);
