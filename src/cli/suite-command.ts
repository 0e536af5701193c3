import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { DEFECTS } from '../reference-server/defects.js';
import { DEFAULT_TIMEOUTS } from '../run/campaign.js';
import { checksOf, SUITE_CHECKS } from '../suite/registry.js';
import { runSuite } from '../suite/run-suite.js';
import { formatSuiteSummary } from '../suite/summary.js';
import { SUITE_CATEGORIES, type SuiteCategory } from '../suite/types.js';
import { randomSeed } from '../util/random.js';
import { installInterruptHandler } from './interrupts.js';
import { parseInteger, parseTarget, type RunFlags } from './options.js';

interface SuiteFlags {
  target: string;
  serverBin?: string;
  cliBin?: string;
  auth: string;
  defect?: string[];
  out: string;
  seed?: string;
  readyTimeout?: string;
  requestTimeout?: string;
  list?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** One line per check: its id and expectation. */
export function formatCheckList(categories: readonly string[] = []): string {
  const checks = checksOf(categories);
  const width = Math.max(...checks.map((check) => check.id.length)) + 2;
  return checks.map((check) => `  ${check.id.padEnd(width)} ${check.expectation}`).join('\n');
}

function write(text: string): Promise<void> {
  return new Promise((done) => process.stdout.write(text, () => done()));
}

async function suiteCommand(categories: string[], flags: SuiteFlags): Promise<never> {
  const checks = checksOf(categories);
  if (flags.list) {
    await write(`${formatCheckList(categories)}\n`);
    process.exit(0);
  }
  const target = parseTarget({ target: flags.target, auth: flags.auth, out: flags.out, ...(flags.serverBin ? { serverBin: flags.serverBin } : {}), ...(flags.defect ? { defect: flags.defect } : {}) } satisfies RunFlags, Object.keys(DEFECTS));
  const controller = new AbortController();
  installInterruptHandler(controller);
  const quiet = flags.quiet ?? false;
  const progress = (line: string) => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  const chosen = (categories.length > 0 ? [...new Set(categories)] : [...SUITE_CATEGORIES]) as SuiteCategory[];
  const result = await runSuite(
    {
      categories: SUITE_CATEGORIES.filter((category) => chosen.includes(category)),
      checks,
      target,
      outDir: resolve(flags.out),
      ...(flags.cliBin !== undefined ? { cliBin: resolve(flags.cliBin) } : {}),
      seed: flags.seed !== undefined ? parseInteger(flags.seed, '--seed', 0, 2 ** 32 - 1) : randomSeed(),
      timeouts: {
        readyMs: flags.readyTimeout !== undefined ? parseInteger(flags.readyTimeout, '--ready-timeout', 100, 600_000) : DEFAULT_TIMEOUTS.readyMs,
        requestMs: flags.requestTimeout !== undefined ? parseInteger(flags.requestTimeout, '--request-timeout', 100, 600_000) : DEFAULT_TIMEOUTS.requestMs,
        exitMs: DEFAULT_TIMEOUTS.exitMs,
      },
    },
    {
      signal: controller.signal,
      onStarted: (runDir) => progress(`suite: ${checks.length} check(s) against ${target.kind}, run folder ${runDir}`),
      onReady: (version, readyMs) => progress(`suite: server ${version ?? '(version unknown)'} ready in ${readyMs} ms`),
      onVerdict: (verdict) => progress(`${verdict.outcome.padEnd(7)} ${verdict.id} (${(verdict.durationMs / 1000).toFixed(1)} s)${verdict.outcome === 'fail' ? `: ${verdict.problems[0] ?? ''}` : verdict.reason ? `: ${verdict.reason}` : ''}`),
    },
  );
  const runDir = resolve(result.files.history, '..');
  if (result.error) process.stderr.write(`kalam-chaos: error during "${result.error.step}": ${result.error.message.split('\n')[0]} (run folder ${runDir})\n`);
  await write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatSuiteSummary(result, runDir)}\n`);
  process.exit(result.exitCode);
}

/** `kalam-chaos suite [CATEGORY...]`: KalamDB's production-readiness categories as black-box checks. */
export function registerSuiteCommand(program: Command): void {
  const count = SUITE_CHECKS.length;
  program
    .command('suite')
    .description(`run black-box checks of a server by category (${SUITE_CATEGORIES.join(', ')}; all when none is named); exit 0 when all held, 1 when a check failed, 2 on the tool's own error`)
    .argument('[categories...]', `categories to run: ${SUITE_CATEGORIES.join(', ')}`)
    .addOption(new Option('--target <kind>', 'server to test').choices(['reference', 'kalamdb']).default('reference'))
    .option('--server-bin <path>', 'kalamdb-server binary (--target kalamdb)')
    .option('--cli-bin <path>', 'the kalam CLI binary, for the cli checks (skipped without it); run against either target')
    .addOption(new Option('--auth <mode>', 'SQL endpoint authentication').choices(['bearer', 'basic']).default('bearer'))
    .option('--defect <name...>', 'reference server: seed a named defect (repeatable)')
    .option('--seed <n>', 'seed of the names the checks create (random when omitted)')
    .option('--ready-timeout <ms>', 'deadline for the server to become ready')
    .option('--request-timeout <ms>', 'deadline of one SQL request (default 10000)')
    .option('--out <dir>', 'folder under which the run folder is created', 'runs')
    .option('--list', `list the ${count} checks (of the named categories) and exit`)
    .option('--json', 'print result.json on stdout instead of the summary')
    .option('--quiet', 'no progress lines on stderr')
    .action(suiteCommand);
}


