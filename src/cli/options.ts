import { resolve } from 'node:path';
import type { KillTriggerSpec } from '../nemesis/kill-trigger.js';
import type { CampaignConfig } from '../run/campaign.js';
import { DEFAULT_TIMEOUTS } from '../run/campaign.js';
import type { NemesisSpec, ScenarioDefinition } from '../scenario/types.js';
import { FLUSH_PHASES, isFlushPhase, type FlushPhase } from '../nemesis/flush-phase.js';
import { RECOVERY_OUTCOMES, type RecoveryOutcome } from '../checker/recovery-outcome.js';
import type { TargetSpec } from '../target/index.js';
import type { AuthMode } from '../target/types.js';
import { randomSeed } from '../util/random.js';

/** A problem with what the user typed: one line, exit code 2, nothing started. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The `run` command's options as commander hands them over (strings until validated). */
export interface RunFlags {
  target: string;
  serverBin?: string;
  auth: string;
  syncWrites?: boolean;
  seed?: string;
  cycles?: string;
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
}

export function parseInteger(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  const parsed = Number(value);
  if (parsed < min || parsed > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${parsed}`);
  return parsed;
}

/** `acks:40-400` or `delay:200-2000` (milliseconds); a single number means min = max. */
export function parseTrigger(value: string): KillTriggerSpec {
  const match = /^(acks|delay):(\d+)(?:-(\d+))?$/.exec(value.trim());
  if (!match) throw new UsageError(`--trigger must look like acks:40-400 or delay:200-2000, got "${value}"`);
  const min = Number(match[2]);
  const max = Number(match[3] ?? match[2]);
  if (max < min) throw new UsageError(`--trigger range is backwards: ${value}`);
  if (match[1] === 'acks') {
    if (min < 1) throw new UsageError('--trigger acks must be at least 1');
    return { kind: 'acks', min, max };
  }
  return { kind: 'delay', minMs: min, maxMs: max };
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
      if (!flags.serverBin) throw new UsageError('--target kalamdb needs --server-bin PATH (the kalamdb-server binary)');
      if (defects.length > 0) throw new UsageError('--defect only applies to --target reference');
      if (flags.ackDelayMs !== undefined) throw new UsageError('--ack-delay-ms only applies to --target reference');
      if (flags.flushDelayMs !== undefined) throw new UsageError('--flush-delay-ms only applies to --target reference');
      return { kind: 'kalamdb', serverBin: resolve(flags.serverBin), auth, syncWrites: flags.syncWrites ?? false };
    }
    default:
      throw new UsageError(`--target must be reference or kalamdb, got "${flags.target}"`);
  }
}

/** Applies --trigger, --phase and --precise to the scenario's nemesis, refusing flags that do not fit it. */
export function parseNemesis(nemesis: NemesisSpec, flags: RunFlags): NemesisSpec {
  if (nemesis.kind !== 'power-loss') rejectLossFlag(flags);
  switch (nemesis.kind) {
    case 'power-loss': {
      if (flags.phase !== undefined || flags.precise) throw new UsageError('--phase and --precise only apply to kill-mid-flush');
      rejectCorruptionFlags(flags);
      if (flags.loss !== undefined && flags.loss !== 'unsynced' && flags.loss !== 'torn') throw new UsageError(`--loss must be unsynced or torn, got "${flags.loss}"`);
      return {
        ...nemesis,
        ...(flags.loss ? { loss: flags.loss as 'unsynced' | 'torn' } : {}),
        ...(flags.trigger ? { trigger: parseTrigger(flags.trigger) } : {}),
      };
    }
    case 'kill-mid-insert':
      if (flags.phase !== undefined) throw new UsageError(`--phase only applies to kill-mid-flush`);
      if (flags.precise) throw new UsageError(`--precise only applies to kill-mid-flush`);
      rejectCorruptionFlags(flags);
      return flags.trigger ? { ...nemesis, trigger: parseTrigger(flags.trigger) } : nemesis;
    case 'corrupt': {
      if (flags.phase !== undefined || flags.precise) throw new UsageError('--phase and --precise only apply to kill-mid-flush');
      let corruptions = nemesis.corruptions;
      if (flags.kind !== undefined) {
        const files = new Set(nemesis.corruptions.map((corruption) => corruption.file));
        corruptions = nemesis.corruptions.filter((corruption) => corruption.kind === flags.kind);
        if (corruptions.length === 0) {
          const known = [...new Set(nemesis.corruptions.map((corruption) => corruption.kind))].join(', ');
          throw new UsageError(`--kind for ${[...files].join('/')} corruption must be one of ${known}, got "${flags.kind}"`);
        }
      }
      let accept = nemesis.accept;
      if (flags.accept !== undefined) {
        const wanted = flags.accept.split(',').map((value) => value.trim());
        const unknown = wanted.filter((value) => !(RECOVERY_OUTCOMES as readonly string[]).includes(value));
        if (unknown.length > 0 || wanted.length === 0) throw new UsageError(`--accept takes outcomes from ${RECOVERY_OUTCOMES.join(', ')}, got "${flags.accept}"`);
        accept = wanted as RecoveryOutcome[];
      }
      if (flags.stop !== undefined && flags.stop !== 'kill' && flags.stop !== 'clean') throw new UsageError(`--stop must be kill or clean, got "${flags.stop}"`);
      return {
        ...nemesis,
        corruptions,
        accept,
        ...(flags.stop ? { stop: flags.stop as 'kill' | 'clean' } : {}),
        ...(flags.trigger ? { warmup: parseTrigger(flags.trigger) } : {}),
      };
    }
    case 'kill-mid-flush': {
      rejectCorruptionFlags(flags);
      if (flags.phase !== undefined && !isFlushPhase(flags.phase)) {
        throw new UsageError(`--phase must be one of ${FLUSH_PHASES.join(', ')}, got "${flags.phase}"`);
      }
      const phase = (flags.phase as FlushPhase | undefined) ?? nemesis.phase;
      if (flags.precise && phase === 'random') throw new UsageError('--precise needs a --phase other than random');
      if (flags.precise && (phase === 'job-running' || phase === 'hot-deleting')) {
        throw new UsageError(`--precise kills at a rename; it cannot aim at ${phase} (use the default watch triggers)`);
      }
      return {
        ...nemesis,
        phase,
        ...(flags.trigger ? { warmup: parseTrigger(flags.trigger) } : {}),
        ...(flags.precise ? { precision: 'syscall' as const } : {}),
      };
    }
  }
}

function parsePowerCut(scenario: ScenarioDefinition, flags: RunFlags): { powerCut?: { loss: 'unsynced' | 'torn' } } {
  if (flags.powerCut === undefined || flags.powerCut === false) return {};
  if (scenario.nemesis.kind !== 'kill-mid-flush') {
    throw new UsageError(`--power-cut applies to kill-mid-flush (the power-loss scenario always cuts; corruption scenarios stop the server first)`);
  }
  const loss = flags.powerCut === true ? 'unsynced' : flags.powerCut;
  if (loss !== 'unsynced' && loss !== 'torn') throw new UsageError(`--power-cut takes unsynced or torn, got "${loss}"`);
  return { powerCut: { loss } };
}

/** A corruption scenario walks its corruptions once by default. */
function defaultCycles(scenario: ScenarioDefinition, nemesis: NemesisSpec): number {
  return nemesis.kind === 'corrupt' ? nemesis.corruptions.length : scenario.defaults.cycles;
}

function rejectLossFlag(flags: RunFlags): void {
  if (flags.loss !== undefined) throw new UsageError('--loss only applies to the power-loss scenario');
}

function rejectCorruptionFlags(flags: RunFlags): void {
  if (flags.kind !== undefined || flags.accept !== undefined || flags.stop !== undefined) {
    throw new UsageError('--kind, --accept and --stop only apply to the corrupt-* scenarios');
  }
}

export function buildCampaignConfig(scenario: ScenarioDefinition, flags: RunFlags, knownDefects: readonly string[]): CampaignConfig {
  if (flags.iOwnThisDataDir && flags.dataDir === undefined) throw new UsageError('--i-own-this-data-dir only makes sense with --data-dir');
  const parsedTarget = parseTarget(flags, knownDefects);
  // Damage to manifest.json goes unread while KalamDB's manifest cache holds the entry: keep it to one.
  const target = parsedTarget.kind === 'kalamdb' && scenario.nemesis.kind === 'corrupt' ? { ...parsedTarget, manifestCacheMaxEntries: 1 } : parsedTarget;
  const writers = flags.writers !== undefined ? parseInteger(flags.writers, '--writers', 1, 64) : scenario.defaults.writers;
  const nemesis = parseNemesis(scenario.nemesis, flags);
  return {
    scenario,
    seed: flags.seed !== undefined ? parseInteger(flags.seed, '--seed', 0, 2 ** 32 - 1) : randomSeed(),
    cycles: flags.cycles !== undefined ? parseInteger(flags.cycles, '--cycles', 1, 10_000) : defaultCycles(scenario, nemesis),
    workload: { ...scenario.workload, writers },
    nemesis,
    target,
    outDir: resolve(flags.out),
    timeouts: {
      ...DEFAULT_TIMEOUTS,
      ...(flags.readyTimeout !== undefined ? { readyMs: parseInteger(flags.readyTimeout, '--ready-timeout', 100, 600_000) } : {}),
      ...(flags.cycleTimeout !== undefined ? { cycleMs: parseInteger(flags.cycleTimeout, '--cycle-timeout', 100, 3_600_000) } : {}),
    },
    ...parsePowerCut(scenario, flags),
    ...(flags.dataDir !== undefined ? { dataDir: { path: resolve(flags.dataDir), userOwnsIt: flags.iOwnThisDataDir ?? false } } : {}),
    ...(flags.snapshots === false
      ? {}
      : { snapshots: { capBytes: (flags.snapshotCapMb !== undefined ? parseInteger(flags.snapshotCapMb, '--snapshot-cap-mb', 1, 100_000) : 64) * 1024 * 1024 } }),
    ...(flags.flushDeadlineMs !== undefined ? { flushDeadlineMs: parseInteger(flags.flushDeadlineMs, '--flush-deadline-ms', 100, 3_600_000) } : {}),
    pageSize: 1000,
    volatileColumns: ['updated_at'],
    sampleIntervalMs: 500,
  };
}
