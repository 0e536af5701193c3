import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { SCENARIOS, findScenario } from '../../chaos/index.js';
import type { ViolationKind } from '../checker/types.js';
import { DEFECTS } from '../reference-server/defects.js';
import { EXIT_CODES, type RunResult } from '../report/result.js';
import { readRunResult } from '../report/write-artifacts.js';
import { runCampaign, type CampaignConfig, type CampaignTimeouts } from '../run/campaign.js';
import type { FaultSpec } from '../vocabulary/faults.js';
import type { RowsGoal } from '../vocabulary/result.js';
import type { InsertWorkloadSpec } from '../workload/insert-workload.js';
import { buildCampaignConfig, UsageError, type RunFlags } from './options.js';
import { requireRunDir } from './report-command.js';
import { installInterruptHandler } from './interrupts.js';

interface ReplayFlags {
  out?: string;
  quiet?: boolean;
}

interface RecordedParameters {
  cycles?: number;
  workload?: Partial<InsertWorkloadSpec>;
  faults?: FaultSpec[];
  minAcks?: number;
  maxMissedPhaseShare?: number;
  timeouts?: Partial<CampaignTimeouts>;
  pageSize?: number;
  volatileColumns?: string[];
  flushDeadlineMs?: number;
  rows?: RowsGoal;
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' && value ? value : undefined;

/** The campaign a run folder's result.json describes: same scenario, seed, schedule and kind of target. */
export function replayConfig(original: RunResult, outDir: string): CampaignConfig {
  const scenario = findScenario(original.scenario);
  if (!scenario) throw new UsageError(`the run's scenario "${original.scenario}" is unknown; known scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const parameters = (original.parameters ?? {}) as RecordedParameters;
  const target = original.target as RunResult['target'] & Record<string, unknown>;
  const flags: RunFlags = { target: String(target.kind), auth: String(target.auth ?? 'bearer'), out: outDir, seed: String(original.seed) };
  const cycles = optionalString(parameters.cycles) ?? (original.cycles.length > 0 ? String(original.cycles.length) : undefined);
  if (cycles) flags.cycles = cycles;
  const writers = optionalString(parameters.workload?.writers);
  if (writers) flags.writers = writers;
  const readyTimeout = optionalString(parameters.timeouts?.readyMs);
  if (readyTimeout) flags.readyTimeout = readyTimeout;
  const cycleTimeout = optionalString(parameters.timeouts?.cycleMs);
  if (cycleTimeout) flags.cycleTimeout = cycleTimeout;
  if (target.kind === 'kalamdb') {
    const serverBin = optionalString(target.serverBin) ?? optionalString(target.command);
    if (serverBin) flags.serverBin = serverBin;
    if (target.syncWrites === true) flags.syncWrites = true;
  } else {
    flags.defect = Array.isArray(target.defects) ? target.defects.map(String) : [];
    const ackDelayMs = optionalString(target.ackDelayMs);
    if (ackDelayMs) flags.ackDelayMs = ackDelayMs;
    const flushDelayMs = optionalString(target.flushDelayMs);
    if (flushDelayMs) flags.flushDelayMs = flushDelayMs;
  }
  const config = buildCampaignConfig(scenario, flags, Object.keys(DEFECTS));
  const faults = parameters.faults;
  const kinds = (list: readonly FaultSpec[]) => list.map((fault) => fault.kind).join(' + ');
  if (faults && kinds(faults) !== kinds(config.faults) && !faults.every((fault) => fault.kind === 'power-cut' || config.faults.some((own) => own.kind === fault.kind))) {
    throw new UsageError(`the run's faults "${kinds(faults)}" do not fit scenario ${scenario.name} (${kinds(config.faults)})`);
  }
  return {
    ...config,
    ...(faults ? { faults } : {}),
    ...(typeof parameters.minAcks === 'number' ? { minAcks: parameters.minAcks } : {}),
    ...(typeof parameters.maxMissedPhaseShare === 'number' ? { maxMissedPhaseShare: parameters.maxMissedPhaseShare } : {}),
    workload: { ...config.workload, ...(parameters.workload ?? {}) },
    timeouts: { ...config.timeouts, ...(parameters.timeouts ?? {}) },
    ...(typeof parameters.pageSize === 'number' ? { pageSize: parameters.pageSize } : {}),
    ...(Array.isArray(parameters.volatileColumns) ? { volatileColumns: parameters.volatileColumns } : {}),
    ...(typeof parameters.flushDeadlineMs === 'number' ? { flushDeadlineMs: parameters.flushDeadlineMs } : {}),
    // A --rows run recorded its bound of cycles as `cycles`: the replay cycles to the same goal within it.
    ...(typeof parameters.rows?.rows === 'number' ? { rows: parameters.rows } : {}),
  };
}

/** How many violations of each kind a run found. */
export function violationKinds(result: RunResult): Map<ViolationKind, number> {
  const kinds = new Map<ViolationKind, number>();
  for (const record of result.violations) kinds.set(record.violation.kind, (kinds.get(record.violation.kind) ?? 0) + 1);
  return kinds;
}

export interface ReplayComparison {
  readonly reproduced: boolean;
  readonly lines: string[];
}

/** Same verdict and the same set of violation kinds (per kind: any or none) means the replay reproduced the run. */
export function compareReplay(original: RunResult, replay: RunResult): ReplayComparison {
  const before = violationKinds(original);
  const after = violationKinds(replay);
  const kinds = [...new Set([...before.keys(), ...after.keys()])].sort();
  const sameKinds = kinds.every((kind) => before.has(kind) === after.has(kind));
  const sameVerdict = original.verdict === replay.verdict;
  const list = (map: Map<ViolationKind, number>) => (map.size ? [...map.keys()].sort().join(', ') : 'none');
  const lines = [
    `original: ${original.verdict.toUpperCase()}  violation kinds: ${list(before)}`,
    `replay:   ${replay.verdict.toUpperCase()}  violation kinds: ${list(after)}`,
    ...kinds.map((kind) => {
      const was = before.get(kind) ?? 0;
      const is = after.get(kind) ?? 0;
      return `  ${kind}: original ${was ? `yes (${was})` : 'no'}, replay ${is ? `yes (${is})` : 'no'}${(was > 0) === (is > 0) ? '' : '  <- differs'}`;
    }),
  ];
  if (JSON.stringify(original.schedule) !== JSON.stringify(replay.schedule)) {
    lines.push(`  note: the kill schedule differs (original ${JSON.stringify(original.schedule)}, replay ${JSON.stringify(replay.schedule)})`);
  }
  const reproduced = sameVerdict && sameKinds;
  lines.push(
    reproduced
      ? `reproduced: same verdict (${replay.verdict}) and the same violation kinds (${list(after)})`
      : `NOT reproduced:${sameVerdict ? '' : ` verdict ${original.verdict} -> ${replay.verdict}`}${sameKinds ? '' : ` violation kinds ${list(before)} -> ${list(after)}`}`,
  );
  return { reproduced, lines };
}

async function replayCommand(runDir: string, flags: ReplayFlags): Promise<never> {
  const root = await requireRunDir(runDir);
  const original = await readRunResult(root).catch((error: unknown) => {
    throw new UsageError(`cannot read ${runDir}/result.json: ${(error as Error).message}`);
  });
  const config = replayConfig(original, resolve(flags.out ?? dirname(root)));
  const print = (line: string) => {
    if (!flags.quiet) process.stderr.write(line + '\n');
  };
  const defects = Array.isArray(original.target.defects) && original.target.defects.length ? ` defects=${original.target.defects.join(',')}` : '';
  print(`replaying ${original.scenario} seed=${original.seed} cycles=${config.cycles} target=${config.target.kind}${defects} from ${root}`);

  const controller = new AbortController();
  installInterruptHandler(controller);
  const replay = await runCampaign(config, {
    signal: controller.signal,
    onProgress: (event) => {
      if (event.kind === 'started') print(`replay run folder ${event.runDir}`);
      if (event.kind === 'fault') print(`cycle ${event.cycle}/${event.cycles}: ${event.description}`);
      if (event.kind === 'checked') print(`cycle ${event.cycle}/${event.cycles}: checks ${event.ok ? 'passed' : `found ${event.violations} violation(s)`}`);
    },
  });
  if (replay.verdict === 'interrupted') process.exit(replay.exitCode);
  const comparison = compareReplay(original, replay);
  const replayDir = replay.files.history.replace(/\/history\.ndjson$/, '');
  const text = [...comparison.lines, `  replay run folder: ${replayDir}`].join('\n') + '\n';
  await new Promise<void>((done) => process.stdout.write(text, () => done()));
  process.exit(comparison.reproduced ? EXIT_CODES.pass : EXIT_CODES.fail);
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('rerun a run folder\'s campaign (scenario, seed, schedule, target); exit 0 when it reproduces the verdict and violation kinds, 1 otherwise')
    .argument('<run-dir>', 'a run folder (holding result.json)')
    .option('--out <dir>', 'folder under which the replay\'s run folder is created (default: next to RUN_DIR)')
    .option('--quiet', 'no progress lines on stderr')
    .action(replayCommand);
}
