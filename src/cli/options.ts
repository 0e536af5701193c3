import { resolve } from 'node:path';
import type { CampaignConfig, FaultOption, NemesisDefinition } from '../run/seams.js';
import { DEFAULT_TIMEOUTS } from '../run/campaign.js';
import type { InsertWorkloadSpec, ScenarioDefinition, WorkloadName } from '../vocabulary/scenario.js';
import { DEFAULT_MIX, mixTables, workloadNames } from '../workload/registry.js';
import type { FaultKind, FaultSpec } from '../vocabulary/faults.js';
import { NEMESES, nemesisDefinition } from '../nemesis/registry.js';
import { parseInteger, UsageError } from '../nemesis/options.js';
import type { TargetSpec } from '../target/index.js';
import type { AuthMode } from '../target/types.js';
import { randomSeed } from '../util/random.js';
import { ROWS_DEFAULT_MAX_CYCLES, ROWS_DEFAULT_MAX_MINUTES, ROWS_STALL_CYCLES } from '../run/rows-goal.js';
import type { RowsGoal } from '../vocabulary/result.js';

export { UsageError, parseInteger, parseTrigger } from '../nemesis/options.js';

function parsePercent(value: string, flag: string): number {
  return parseInteger(value, `${flag} (percent)`, 0, 100) / 100;
}

/** The `run` command's options as commander hands them over (strings until validated). */
export interface RunFlags {
  target: string;
  serverBin?: string;
  /** upgrade: the newer kalamdb-server binary (the target's when --server-bin is absent). */
  toBin?: string;
  auth: string;
  syncWrites?: boolean;
  seed?: string;
  cycles?: string;
  /** Cycle until this many rows are acknowledged in total; --cycles is then the most cycles. */
  rows?: string;
  /** --rows: no cycle starts once the run is this many minutes old. */
  maxMinutes?: string;
  writers?: string;
  out: string;
  defect?: string[];
  ackDelayMs?: string;
  trigger?: string;
  phase?: string;
  precise?: boolean;
  kind?: string;
  accept?: string;
  stop?: string;
  loss?: string;
  dataDir?: string;
  iOwnThisDataDir?: boolean;
  /** kill-mid-flush: follow each kill with a power cut (lossfs), losing `unsynced` writes or `torn` ones. */
  powerCut?: string | boolean;
  /** false with --no-snapshots. */
  snapshots?: boolean;
  snapshotCapMb?: string;
  flushDelayMs?: string;
  /** flush-stuck: deadline for a flush asked after each restart to complete. */
  flushDeadlineMs?: string;
  readyTimeout?: string;
  cycleTimeout?: string;
  /** One SQL request's deadline; big shapes (100 rows of 10 KB) need more than the default 10 s. */
  requestTimeout?: string;
  /** A cycle with fewer acknowledged writes tested too little (default 1). */
  minAcks?: string;
  /** Percent of flush kills that may land outside their phase before the run is inconclusive (default 50). */
  maxMissedPhase?: string;
  /** Registered workloads run side by side, comma-separated (default: the mix). */
  workload?: string;
  /** Shapes of any workload: rows per INSERT (N or MIN-MAX), payload bytes, extra TEXT columns. */
  rowsPerInsert?: string;
  payloadBytes?: string;
  columns?: string;
}

/** `--workload a,b`: known names, each once. */
export function parseWorkloadMix(value: string | undefined): readonly WorkloadName[] {
  if (value === undefined) return DEFAULT_MIX;
  const names = value.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  if (names.length === 0) throw new UsageError('--workload needs at least one workload name');
  const known = workloadNames();
  for (const name of names) {
    if (!known.includes(name as WorkloadName)) throw new UsageError(`unknown workload "${name}"; known workloads: ${known.join(', ')}`);
  }
  if (new Set(names).size !== names.length) throw new UsageError(`--workload names a workload twice: ${value}`);
  return names as WorkloadName[];
}

function parseRowsPerInsert(value: string): { min: number; max: number } {
  const match = /^(\d+)(?:-(\d+))?$/.exec(value.trim());
  if (!match) throw new UsageError(`--rows-per-insert must be N or MIN-MAX, got "${value}"`);
  const min = parseInteger(match[1]!, '--rows-per-insert', 1, 100);
  const max = match[2] !== undefined ? parseInteger(match[2], '--rows-per-insert', 1, 100) : min;
  if (max < min) throw new UsageError(`--rows-per-insert: ${min}-${max} is an empty range`);
  return { min, max };
}

/** The scenario's workload with the command line's mix and shapes applied. */
export function buildWorkloadSpec(scenario: ScenarioDefinition, flags: RunFlags): InsertWorkloadSpec {
  const writers = flags.writers !== undefined ? parseInteger(flags.writers, '--writers', 1, 64) : scenario.defaults.writers;
  const mix = flags.workload === undefined && scenario.workload.mix ? scenario.workload.mix : parseWorkloadMix(flags.workload);
  return {
    ...scenario.workload,
    writers,
    mix,
    tables: mixTables(mix, scenario.workload.tables),
    ...(flags.rowsPerInsert !== undefined ? { rowsPerInsert: parseRowsPerInsert(flags.rowsPerInsert) } : {}),
    ...(flags.payloadBytes !== undefined ? { payloadBytes: parseInteger(flags.payloadBytes, '--payload-bytes', 16, 65_536) } : {}),
    ...(flags.columns !== undefined ? { extraColumns: parseInteger(flags.columns, '--columns', 0, 64) } : {}),
  };
}

export function parseTarget(flags: RunFlags, knownDefects: readonly string[]): TargetSpec {
  const auth = flags.auth as AuthMode;
  if (auth !== 'bearer' && auth !== 'basic') throw new UsageError(`--auth must be bearer or basic, got "${flags.auth}"`);
  const defects = flags.defect ?? [];
  switch (flags.target) {
    case 'reference': {
      if (flags.serverBin) throw new UsageError('--server-bin is only for --target kalamdb (the reference server is built in)');
      if (flags.syncWrites) throw new UsageError('--sync-writes is only for --target kalamdb');
      for (const defect of defects) {
        if (!knownDefects.includes(defect)) {
          throw new UsageError(`unknown defect "${defect}"; known defects: ${knownDefects.join(', ')}`);
        }
      }
      return {
        kind: 'reference',
        defects,
        auth,
        ...(flags.ackDelayMs !== undefined ? { ackDelayMs: parseInteger(flags.ackDelayMs, '--ack-delay-ms', 0, 60_000) } : {}),
        ...(flags.flushDelayMs !== undefined ? { flushDelayMs: parseInteger(flags.flushDelayMs, '--flush-delay-ms', 0, 60_000) } : {}),
      };
    }
    case 'kalamdb': {
      // An upgrade campaign names its binaries with --from-bin/--to-bin; the newer one is the target's.
      const serverBin = flags.serverBin ?? flags.toBin;
      if (!serverBin) throw new UsageError('--target kalamdb needs --server-bin PATH (the kalamdb-server binary)');
      if (defects.length > 0) throw new UsageError('--defect only applies to --target reference');
      if (flags.ackDelayMs !== undefined) throw new UsageError('--ack-delay-ms only applies to --target reference');
      if (flags.flushDelayMs !== undefined) throw new UsageError('--flush-delay-ms only applies to --target reference');
      return { kind: 'kalamdb', serverBin: resolve(serverBin), auth, syncWrites: flags.syncWrites ?? false };
    }
    default:
      throw new UsageError(`--target must be reference or kalamdb, got "${flags.target}"`);
  }
}

/** Every fault option, each once, with the faults that own it. */
export function faultOptions(): { option: FaultOption; owners: FaultKind[] }[] {
  const byFlag = new Map<string, { option: FaultOption; owners: FaultKind[] }>();
  for (const definition of Object.values(NEMESES) as NemesisDefinition[]) {
    for (const option of definition.options) {
      const entry = byFlag.get(option.key) ?? { option, owners: [] };
      entry.owners.push(definition.kind);
      byFlag.set(option.key, entry);
    }
  }
  return [...byFlag.values()];
}

const flagName = (option: FaultOption) => option.flags.split(' ')[0]!;

/**
 * The scenario's faults with the command line applied: each fault parses the options it owns; an
 * option no fault of this campaign owns is refused, naming the faults it belongs to. `--power-cut`
 * composes a power cut onto a scenario whose crash fault is a kill.
 */
export function parseFaults(scenario: ScenarioDefinition, flags: RunFlags): FaultSpec[] {
  let faults: FaultSpec[] = [...scenario.faults];
  if (flags.powerCut !== undefined && flags.powerCut !== false) {
    const loss = flags.powerCut === true ? 'unsynced' : flags.powerCut;
    if (loss !== 'unsynced' && loss !== 'torn') throw new UsageError(`--power-cut takes unsynced or torn, got "${loss}"`);
    if (faults.some((fault) => fault.kind === 'power-cut')) throw new UsageError(`--power-cut: scenario ${scenario.name} already cuts the power (use --loss)`);
    if (!faults.some((fault) => fault.kind === 'kill' || fault.kind === 'flush-kill')) {
      throw new UsageError('--power-cut composes with a kill (kill-mid-insert, kill-mid-flush); corruption scenarios stop the server before damaging a file');
    }
    faults = [...faults, { kind: 'power-cut', loss }];
  }
  const present = new Set(faults.map((fault) => fault.kind));
  const values = flags as unknown as Record<string, unknown>;
  for (const { option, owners } of faultOptions()) {
    if (values[option.key] === undefined || values[option.key] === false) continue;
    if (!owners.some((owner) => present.has(owner))) {
      const scenarios = SCENARIO_NAMES_BY_FAULT(owners);
      throw new UsageError(`${flagName(option)} only applies to ${scenarios} (scenario ${scenario.name} has ${[...present].join(' + ')})`);
    }
  }
  return faults.map((fault) => {
    const definition = nemesisDefinition(fault);
    const own: Record<string, unknown> = {};
    for (const option of definition.options) if (values[option.key] !== undefined && values[option.key] !== false) own[option.key] = values[option.key];
    return definition.parse(fault, own);
  });
}

const FAULT_SCENARIOS: Record<FaultKind, string> = {
  kill: 'kill-mid-insert and power-loss',
  'flush-kill': 'kill-mid-flush',
  corrupt: 'the corrupt-* scenarios',
  'power-cut': 'power-loss (or a run with --power-cut)',
  upgrade: 'upgrade',
};
const SCENARIO_NAMES_BY_FAULT = (owners: readonly FaultKind[]) => owners.map((owner) => FAULT_SCENARIOS[owner]).join(', ');

/** A corruption scenario walks its corruptions once by default. */
function defaultCycles(scenario: ScenarioDefinition, faults: readonly FaultSpec[]): number {
  const corrupt = faults.find((fault) => fault.kind === 'corrupt');
  return corrupt?.kind === 'corrupt' ? corrupt.corruptions.length : scenario.defaults.cycles;
}

/** The most rows --rows takes: a billion, far beyond what a run can hold in its ledger. */
const MAX_ROWS_GOAL = 1_000_000_000;

/** `--rows N [--max-minutes M]`: the goal and its bounds; undefined without --rows. */
export function parseRowsGoal(flags: RunFlags, workload: InsertWorkloadSpec): RowsGoal | undefined {
  if (flags.rows === undefined) {
    if (flags.maxMinutes !== undefined) throw new UsageError('--max-minutes bounds a --rows run; it needs --rows N');
    return undefined;
  }
  const rows = parseInteger(flags.rows, '--rows', 1, MAX_ROWS_GOAL);
  if (!(workload.mix ?? ['append']).includes('append')) {
    throw new UsageError(`--rows counts the append workload's acknowledged rows, and --workload ${(workload.mix ?? []).join(',')} has no append (add append)`);
  }
  const maxMinutes = flags.maxMinutes !== undefined ? parseInteger(flags.maxMinutes, '--max-minutes', 1, 10_080) : ROWS_DEFAULT_MAX_MINUTES;
  return { rows, maxMinutes, stallCycles: ROWS_STALL_CYCLES };
}

export function buildCampaignConfig(scenario: ScenarioDefinition, flags: RunFlags, knownDefects: readonly string[]): CampaignConfig {
  if (flags.iOwnThisDataDir && flags.dataDir === undefined) throw new UsageError('--i-own-this-data-dir only makes sense with --data-dir');
  const parsedTarget = parseTarget(flags, knownDefects);
  // Damage to manifest.json goes unread while KalamDB's manifest cache holds the entry: keep it to one.
  const faults = parseFaults(scenario, flags);
  const target = parsedTarget.kind === 'kalamdb' && faults.some((fault) => fault.kind === 'corrupt') ? { ...parsedTarget, manifestCacheMaxEntries: 1 } : parsedTarget;
  const workload = buildWorkloadSpec(scenario, flags);
  const rows = parseRowsGoal(flags, workload);
  return {
    scenario,
    seed: flags.seed !== undefined ? parseInteger(flags.seed, '--seed', 0, 2 ** 32 - 1) : randomSeed(),
    cycles: flags.cycles !== undefined ? parseInteger(flags.cycles, '--cycles', 1, 10_000) : rows ? ROWS_DEFAULT_MAX_CYCLES : defaultCycles(scenario, faults),
    ...(rows ? { rows } : {}),
    workload,
    faults,
    target,
    outDir: resolve(flags.out),
    timeouts: {
      ...DEFAULT_TIMEOUTS,
      ...(flags.readyTimeout !== undefined ? { readyMs: parseInteger(flags.readyTimeout, '--ready-timeout', 100, 600_000) } : {}),
      ...(flags.cycleTimeout !== undefined ? { cycleMs: parseInteger(flags.cycleTimeout, '--cycle-timeout', 100, 3_600_000) } : {}),
      ...(flags.requestTimeout !== undefined ? { requestMs: parseInteger(flags.requestTimeout, '--request-timeout', 100, 600_000) } : {}),
    },
    ...(flags.dataDir !== undefined ? { dataDir: { path: resolve(flags.dataDir), userOwnsIt: flags.iOwnThisDataDir ?? false } } : {}),
    ...(flags.snapshots === false
      ? {}
      : { snapshots: { capBytes: (flags.snapshotCapMb !== undefined ? parseInteger(flags.snapshotCapMb, '--snapshot-cap-mb', 1, 100_000) : 64) * 1024 * 1024 } }),
    ...(flags.flushDeadlineMs !== undefined ? { flushDeadlineMs: parseInteger(flags.flushDeadlineMs, '--flush-deadline-ms', 100, 3_600_000) } : {}),
    minAcks: flags.minAcks !== undefined ? parseInteger(flags.minAcks, '--min-acks', 0, 1_000_000) : 1,
    maxMissedPhaseShare: flags.maxMissedPhase !== undefined ? parsePercent(flags.maxMissedPhase, '--max-missed-phase') : 0.5,
    pageSize: 1000,
    volatileColumns: ['updated_at'],
    sampleIntervalMs: 500,
  };
}
